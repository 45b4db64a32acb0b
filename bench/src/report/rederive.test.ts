import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { completeReport } from './analyse';
import { FigureMismatchError, RawDataError, differences } from './rederive';
import { regenerate, writeReport } from './render';
import { requestsFile } from './raw-files';
import type { ReportData } from './schema';
import { recordsFixture } from './testing/records-fixture';

void describe('render derives every figure again from raw/', () => {
  let root: string;
  let dir: string;
  let summary: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'rederive-'));
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(root, 'report-'));
    await rm(dir, { recursive: true });
    const { data, raw } = recordsFixture();
    await writeReport(dir, data, raw);
    summary = await readFile(join(dir, 'summary.json'), 'utf8');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** summary.json changed by `change`, its derived sections completed again: consistent in itself, only raw/ can tell. */
  const edit = async (change: (data: ReportData) => void): Promise<void> => {
    const { schemaVersion, ...data } = JSON.parse(summary) as ReportData & { schemaVersion: number };
    change(data);
    const specs = data.thresholds.map(({ scenario, engine, metric, op, limit }) => ({ scenario, engine, metric, op, limit }));
    const completed = completeReport({ ...data, thresholds: specs });
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ schemaVersion, ...completed }));
  };

  void it('refuses a summary.json whose figure is not what the records give, naming it', async () => {
    await edit((data) => {
      const s = data.scenarios[1];
      assert.ok(s?.measured.throughputTxPerMin);
      s.measured.throughputTxPerMin *= 1.01;
    });
    await assert.rejects(regenerate(dir), (error: unknown) => {
      assert.ok(error instanceof FigureMismatchError, String(error));
      assert.deepEqual(
        error.mismatches.map((m) => m.replace(/: summary\.json.*/, '')),
        ['scenarios[1] (add_order, http).measured.throughputTxPerMin'],
      );
      return true;
    });
  });

  void it('refuses chain counts the blocks do not give, and a latency of a Caliper round', async () => {
    await edit((data) => {
      const http = data.scenarios[1];
      const caliper = data.scenarios[3];
      assert.ok(http?.chain && caliper?.measured.latencyS);
      http.chain.validTx += 1;
      http.chain.byValidation['VALID'] = http.chain.validTx;
      caliper.measured.latencyS.p99 += 0.001;
    });
    await assert.rejects(regenerate(dir), (error: unknown) => {
      assert.ok(error instanceof FigureMismatchError);
      const named = error.mismatches.join('\n');
      assert.match(named, /scenarios\[1\] \(add_order, http\)\.chain\.validTx: summary\.json \d+, raw\/ gives \d+/);
      assert.match(named, /scenarios\[1\] \(add_order, http\)\.chain\.byValidation\.VALID/);
      assert.match(named, /scenarios\[3\] \(add_order, caliper\)\.measured\.latencyS\.p99/);
      return true;
    });
  });

  void it('takes no figure on trust: a "no data" summary.json is refused where the records have data', async () => {
    await edit((data) => {
      const s = data.scenarios[2];
      assert.ok(s);
      s.measured.throughputTxPerMin = null;
    });
    await assert.rejects(regenerate(dir), /scenarios\[2\] \(order_query, http\)\.measured\.throughputTxPerMin: summary\.json no data, raw\/ gives \d/);
  });

  void it('says which raw file is missing', async () => {
    await rm(join(dir, 'raw', requestsFile('order_query', 'http')));
    await assert.rejects(regenerate(dir), (error: unknown) => error instanceof RawDataError && error.message.startsWith('raw/requests/order_query-http.jsonl.gz: cannot be read'));
  });

  void it('tells rounding from a difference', () => {
    assert.deepEqual(differences('x', { a: 1310.0000000001, b: [1, null] }, { a: 1310, b: [1, null] }), []);
    assert.deepEqual(differences('x', { a: 1310.01 }, { a: 1310 }), ['x.a: summary.json 1310.01, raw/ gives 1310']);
    assert.deepEqual(differences('x', [1], [1, 2]), ['x: summary.json has 1 entries, raw/ gives 2']);
  });
});
