import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { energysale, StateLayout, withClientAuth } from '@energysale/network';

import { caliperNetworkConfig, CONNECTOR_MODULE, STOCK_CONNECTOR } from './network-config';
import { parseCaliperReport } from './report-html';
import { CALIPER_REPORT_SUMMARY } from './testing/report-fixture';
import { CaliperFailedTransactionsError, judgeRounds, roundLines } from './user';

const layout = new StateLayout('/state');
/** The fixture's report with 3 failures in the measured add order round. */
const failing = parseCaliperReport(CALIPER_REPORT_SUMMARY.replace('<td>add_order.measured</td> <td>25</td> <td>0</td>', '<td>add_order.measured</td> <td>25</td> <td>3</td>'));

void describe("a user's Caliper benchmark", () => {
  void it('fails when any transaction failed, naming the rounds, though Caliper exited 0', () => {
    assert.throws(
      () => {
        judgeRounds(failing, '/out/report.html');
      },
      (error: unknown) =>
        error instanceof CaliperFailedTransactionsError &&
        error.message === "add_order.measured: 3 of 28 transactions failed (Caliper's report: /out/report.html)" &&
        error.rounds === failing,
    );
  });

  void it('passes with failures when told to, and with none', () => {
    judgeRounds(failing, '/out/report.html', true);
    judgeRounds(parseCaliperReport(CALIPER_REPORT_SUMMARY), '/out/report.html');
  });

  void it('prints succ, fail and TPS per round', () => {
    assert.deepEqual(roundLines(failing).slice(0, 3), [
      'round                     succ      fail       TPS',
      'add_order.warmup            12         0       2.6',
      'add_order.measured          25         3       2.3',
    ]);
  });

  void it("uses Caliper's stock connector when client certificates are optional, ours when required", () => {
    const stock = caliperNetworkConfig(energysale, layout, { clientAuth: 'optional', contracts: ['retail', 'basic'] });
    assert.equal(stock.caliper.blockchain, STOCK_CONNECTOR);
    assert.ok(stock.organizations.every((o) => o.clientTls === undefined));
    assert.deepEqual(stock.channels[0]?.contracts, [{ id: 'retail' }, { id: 'basic' }]);
    assert.equal(caliperNetworkConfig(withClientAuth(energysale, 'optional'), layout).caliper.blockchain, STOCK_CONNECTOR, "the model's setting by default");
    const ours = caliperNetworkConfig(energysale, layout, { clientAuth: 'required' });
    assert.equal(ours.caliper.blockchain, CONNECTOR_MODULE);
    assert.ok(ours.organizations.every((o) => o.clientTls !== undefined));
  });
});
