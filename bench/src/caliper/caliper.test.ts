import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';

import { APP_TLS_CLIENT, energysale, identityOf, peers, StateLayout } from '@energysale/network';
import type { ConnectorInterface, TxStatus } from '@hyperledger/caliper-core';

import { PROFILES } from '../table4/profiles';
import { AddOrder } from './add-order';
import { caliperBenchConfig, durationSeconds, roundsSeconds, WORKLOAD_MODULES } from './bench-config';
import { caliperNetworkConfig, CONNECTOR_MODULE } from './network-config';
import { deriveRounds, readRecords, recordFile, type TxRecord } from './records';
import { CaliperReportError, parseCaliperReport } from './report-html';
import { CALIPER_REPORT_SUMMARY } from './testing/report-fixture';
import type { RoundArguments } from './workload';

const layout = new StateLayout('/state');

const roundArguments = (recordsDir: string): RoundArguments => ({
  round: 'add_order.measured',
  recordsDir,
  channel: 'retailchannel',
  chaincode: 'retail',
  userMspId: 'ConsumerOrgMSP',
  exchangeMspId: 'ExchangeOrgMSP',
  runId: 't4run',
  users: ['vu0001', 'vu0002', 'vu0003', 'vu0004'],
  packageId: 't4run-pkg',
  seller: 'RetailerOrgMSP/retailer1',
  preloaded: [['a'], ['b'], ['c'], ['d']],
});

void describe('Caliper network config', () => {
  const config = caliperNetworkConfig(energysale, layout, {
    identities: [
      { orgKey: 'consumer', user: 'vu0001' },
      { orgKey: 'consumer', user: 'vu0002' },
    ],
  });

  void it('is derived from the model: channel, chaincode, orgs, every peer with its TLS root and name', () => {
    assert.equal(config.version, '2.0.0');
    assert.deepEqual(config.channels, [{ channelName: energysale.channel.name, contracts: [{ id: energysale.chaincode.name }] }]);
    assert.deepEqual(config.organizations.map((o) => o.mspid), energysale.peerOrgs.map((o) => o.mspId));
    const listed = config.organizations.flatMap((o) => o.peers.map((p) => [o.mspid, p.endpoint, p.tlsCACerts.path, p.grpcOptions['ssl-target-name-override']]));
    assert.deepEqual(listed, peers(energysale).map((p) => [p.org.mspId, p.endpoint, layout.caCert(p.org.key), p.id]));
  });

  void it("names each org's identities (model users plus the virtual users) and its TLS client identity", () => {
    const consumer = config.organizations.find((o) => o.mspid === 'ConsumerOrgMSP');
    assert.deepEqual(consumer?.identities.certificates.map((c) => c.name), ['consumer1', 'vu0001', 'vu0002']);
    const vu = identityOf(layout, 'consumer', 'vu0001');
    assert.deepEqual(consumer.identities.certificates[1], { name: 'vu0001', clientPrivateKey: { path: vu.signKey }, clientSignedCert: { path: vu.signCert } });
    const tls = identityOf(layout, 'consumer', APP_TLS_CLIENT);
    assert.deepEqual(consumer.clientTls, { certPath: tls.tlsCert, keyPath: tls.tlsKey });
  });

  void it('loads our connector (mutual TLS added by it, not by Caliper, which refuses it)', () => {
    assert.equal(config.caliper.blockchain, CONNECTOR_MODULE);
    assert.ok(existsSync(CONNECTOR_MODULE));
    assert.equal(config.caliper.sutOptions.mutualTls, false);
  });
});

void describe("Caliper's Fabric binding", () => {
  void it('is the one `caliper bind --caliper-bind-sut fabric:2.5` would install, not the workspace\'s newer gateway', () => {
    // Caliper's packages sit in bench/node_modules (see package-lock.json), so its connector
    // resolves bench's own fabric-gateway and grpc-js; network and service keep theirs.
    const fromConnector = createRequire(require.resolve('@hyperledger/caliper-fabric/lib/connector-versions/peer-gateway/PeerGateway'));
    const version = (name: string): string => (fromConnector(`${name}/package.json`) as { version: string }).version;
    assert.equal(version('@hyperledger/fabric-gateway'), '1.5.0');
    assert.equal(version('@grpc/grpc-js'), '1.10.3');
    assert.equal(fromConnector.resolve('@grpc/grpc-js'), require.resolve('@grpc/grpc-js'), 'our connector and Caliper\'s must share one grpc-js');
  });
});

void describe('Caliper benchmark config', () => {
  void it('has a warm-up and a measured round per test, closed loop of the profile users, its durations', () => {
    const config = caliperBenchConfig({ profile: PROFILES.paper, workers: 2, monitorCommands: ['/bin/peer'], round: roundArguments('/out') }) as {
      test: { workers: { number: number }; rounds: { label: string; txDuration: number; rateControl: unknown; workload: { module: string; arguments: RoundArguments } }[] };
      monitors: { resource: { module: string }[] };
    };
    assert.equal(config.test.workers.number, 2);
    assert.deepEqual(config.test.rounds.map((r) => [r.label, r.txDuration]), [
      ['add_order.warmup', 30],
      ['add_order.measured', 600],
      ['order_query.warmup', 30],
      ['order_query.measured', 600],
    ]);
    for (const r of config.test.rounds) {
      assert.deepEqual(r.rateControl, { type: 'fixed-load', opts: { transactionLoad: 30, startTps: 30 } });
      assert.equal(r.workload.arguments.round, r.label);
      assert.ok(existsSync(r.workload.module));
    }
    assert.equal(config.test.rounds[0]?.workload.module, WORKLOAD_MODULES.add_order);
    assert.equal(config.monitors.resource[0]?.module, 'process');
    assert.equal(roundsSeconds(PROFILES.paper), 1260);
    assert.equal(durationSeconds('1500ms', 'x'), 2);
  });
});

void describe("Caliper's report.html", () => {
  void it('gives the summary row of every round', () => {
    const rows = parseCaliperReport(CALIPER_REPORT_SUMMARY);
    assert.deepEqual(rows.map((r) => r.name), ['add_order.warmup', 'add_order.measured', 'order_query.warmup', 'order_query.measured']);
    assert.deepEqual(rows[1], { name: 'add_order.measured', succ: 25, fail: 0, sendRateTps: 2.9, maxLatencyS: 2.29, minLatencyS: 0.24, avgLatencyS: 1.54, throughputTps: 2.3 });
  });

  void it('reads "-" as no latency and refuses what is not a Caliper summary', () => {
    const dashed = CALIPER_REPORT_SUMMARY.replace('<td>25</td> <td>0</td> <td>2.9</td> <td>2.29</td> <td>0.24</td> <td>1.54</td>', '<td>0</td> <td>3</td> <td>2.9</td> <td>-</td> <td>-</td> <td>-</td>');
    assert.deepEqual(parseCaliperReport(dashed)[1]?.avgLatencyS, null);
    assert.throws(() => parseCaliperReport('<html></html>'), CaliperReportError);
    assert.throws(() => parseCaliperReport(CALIPER_REPORT_SUMMARY.replace('<td>774</td>', '<td>many</td>')), /order_query.measured Succ/);
  });
});

void describe('transaction records', () => {
  const at = (start: number, end: number, ok = true): TxRecord => ({ start, end, ok, user: 'vu0001', id: `o${start}` });

  void it('give a test its figures: the window is first send to last completion, latencies of every record', () => {
    const derived = deriveRounds([at(1000, 2000), at(1100, 1600), at(1500, 4000, false), at(2000, 3000)], [at(0, 500)]);
    assert.ok(derived);
    const { measured, warmUp, window, timeSeries } = derived;
    assert.deepEqual([measured.requests, measured.successes, measured.failures], [4, 3, 1]);
    assert.deepEqual(window, { start: new Date(1000).toISOString(), end: new Date(4000).toISOString(), durationS: 3 });
    assert.equal(measured.throughputTxPerMin, 60);
    assert.equal(measured.latencyS?.p50, 1);
    assert.equal(measured.latencyS.max, 2.5);
    assert.equal(measured.latencyS.avg, (1 + 0.5 + 2.5 + 1) / 4);
    // The warm-up's one record: a window of 0.5 s, so 120/min.
    assert.equal(warmUp?.throughputTxPerMin, 120);
    assert.deepEqual(timeSeries.map((p) => [p.t, p.ok, p.errors]), [
      [-1, 1, 0],
      [0, 1, 0],
      [1, 1, 0],
      [2, 1, 0],
      [3, 0, 1],
    ]);
    assert.equal(deriveRounds([], [at(0, 500)]), null, 'no measured record: nothing to derive');
  });

  void it('are read gzipped too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'records-'));
    await writeFile(`${recordFile(dir, 'add_order.measured', 0)}.gz`, gzipSync(`${JSON.stringify(at(1, 5))}\n`));
    await writeFile(recordFile(dir, 'add_order.measured', 1), `${JSON.stringify(at(2, 3))}\n`);
    assert.deepEqual((await readRecords(dir, 'add_order.measured')).map((r) => r.end), [3, 5]);
  });

  void it('are read back from every worker file of a round, and only that round', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'records-'));
    await writeFile(recordFile(dir, 'add_order.measured', 0), `${JSON.stringify(at(1, 5))}\n`);
    await writeFile(recordFile(dir, 'add_order.measured', 1), `${JSON.stringify(at(2, 3))}\n${JSON.stringify(at(4, 9))}\n`);
    await writeFile(recordFile(dir, 'add_order.warmup', 0), `${JSON.stringify(at(0, 1))}\n`);
    assert.deepEqual((await readRecords(dir, 'add_order.measured')).map((r) => r.end), [3, 5, 9]);
  });
});

/** A connector that answers when told to, as Caliper's TxStatus would. */
class FakeConnector implements ConnectorInterface {
  readonly requests: Record<string, unknown>[] = [];
  private readonly pending: (() => void)[] = [];
  sendRequests(request: object): Promise<TxStatus> {
    this.requests.push(request as Record<string, unknown>);
    return new Promise((resolve) => {
      this.pending.push(() => {
        resolve({ IsCommitted: () => true } as unknown as TxStatus);
      });
    });
  }
  answerAll(): void {
    for (const answer of this.pending.splice(0)) answer();
  }
}

void describe('add order workload', () => {
  void it("sends the service's DeclareOrder as the worker's least busy user, with unique ids, and records it", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'workload-'));
    const connector = new FakeConnector();
    const workload = new AddOrder();
    await workload.initializeWorkloadModule(1, 2, 1, roundArguments(dir), connector, undefined);
    const sent = [workload.submitTransaction(), workload.submitTransaction(), workload.submitTransaction()];
    connector.answerAll();
    await Promise.all(sent);
    await workload.cleanupWorkloadModule();

    // Worker 1 of 2 has users 2 and 4; the third transaction goes to the first again.
    assert.deepEqual(connector.requests.map((r) => r.invokerIdentity), ['vu0002', 'vu0004', 'vu0002']);
    const [first] = connector.requests;
    assert.equal(first?.contractFunction, 'orders:DeclareOrder');
    assert.deepEqual(first.endorsingOrganizations, ['ExchangeOrgMSP', 'ConsumerOrgMSP']);
    assert.equal(first.invokerMspId, 'ConsumerOrgMSP');
    assert.equal(first.readOnly, false);
    const declaration = JSON.parse((first.contractArguments as string[])[0] ?? '') as Record<string, string>;
    assert.deepEqual(declaration, { id: 't4run-vu0002-cm0', packageId: 't4run-pkg', content: 'Table 4 add order (Caliper)', seller: 'RetailerOrgMSP/retailer1' });
    const terms = JSON.parse((first.transientMap as { terms: string }).terms) as Record<string, string>;
    assert.deepEqual(Object.keys(terms).sort(), ['quantityMWh', 'salt', 'settlementPrice', 'tradePrice']);
    assert.ok((terms.salt ?? '').length >= 16);

    const lines = (await readFile(recordFile(dir, 'add_order.measured', 1), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as TxRecord);
    assert.deepEqual(lines.map((r) => r.id).sort(), ['t4run-vu0002-cm0', 't4run-vu0002-cm1', 't4run-vu0004-cm0']);
    assert.ok(lines.every((r) => r.ok && r.end >= r.start));
  });
});
