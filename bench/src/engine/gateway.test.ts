import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ChaincodeError } from '@energysale/network';
import type { Invocation, UserIdentity } from '@energysale/service';

import type { EngineRequest, EngineResult, Pacing } from './engine';
import { GatewayEngine, gatewayRequest, parseGatewayRequest } from './gateway';

/** A Fabric client that answers after `delayMs`, or refuses the calls whose first argument is 'refuse'. */
function fakeClient(delayMs: number) {
  const calls: Invocation[] = [];
  const answer = async (call: Invocation): Promise<Uint8Array> => {
    calls.push(call);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (call.args?.[0] === 'refuse') throw new ChaincodeError('FORBIDDEN_ROLE', 'only a consumer may declare', undefined, {});
    return Buffer.from(JSON.stringify({ id: call.args?.[0] }));
  };
  return {
    calls,
    evaluate: answer,
    submit: async (call: Invocation) => ({ result: await answer(call), transactionId: 'tx', blockNumber: 1n }),
    close: () => Promise.resolve(),
  };
}

const identity = (org: string, user: string): UserIdentity => ({ user, handle: `${org}/${user}` }) as unknown as UserIdentity;

async function attack(engine: GatewayEngine, pacing: Pacing, durationMs: number, request: (i: number) => EngineRequest) {
  const results: EngineResult[] = [];
  function* requests(): Generator<EngineRequest> {
    for (let i = 0; i < 10_000; i++) yield request(i);
  }
  const report = await engine.attack({ pacing, durationMs, timeoutMs: 1000, requests: requests(), onResult: (r) => results.push(r) });
  return { report, results };
}

void describe('the Fabric Gateway engine (a fake Fabric client)', () => {
  void it('writes a chaincode call as a fabric-gateway:// request and reads it back', () => {
    const call = { contract: 'orders', fn: 'DeclareOrder', args: ['{"id":"o1"}'], transient: { terms: '{}' }, endorsingOrgs: ['ExchangeOrgMSP', 'ConsumerOrgMSP'] };
    const request = gatewayRequest('SUBMIT', 'consumer', 'vu 1', call);
    assert.equal(request.url, 'fabric-gateway://consumer/vu%201/orders/DeclareOrder');
    assert.deepEqual(parseGatewayRequest(request), { mode: 'SUBMIT', org: 'consumer', user: 'vu 1', call });
    assert.throws(() => parseGatewayRequest({ method: 'GET', url: 'http://127.0.0.1/orders' }), /not a Fabric Gateway request/);
  });

  void it('keeps the chaincode of a call to one deployed beside the retail one', () => {
    const call = { chaincode: 'calibration', contract: 'calibration', fn: 'Put', args: ['k1', '1'] };
    assert.deepEqual(parseGatewayRequest(gatewayRequest('SUBMIT', 'consumer', 'vu1', call)).call, call);
  });

  void it('closed pacing: each worker sends its next call when the last is answered, as the user it names', async () => {
    const client = fakeClient(40);
    const engine = new GatewayEngine(client, identity);
    const { report, results } = await attack(engine, { model: 'closed', workers: 2 }, 400, (i) => gatewayRequest('EVALUATE', 'consumer', `vu${(i % 2) + 1}`, { contract: 'orders', fn: 'ReadOrder', args: [`o${i}`] }));
    // 2 workers × 400 ms / 40 ms: about 20 calls, never more than 2 at once.
    assert.ok(results.length >= 12 && results.length <= 22, `${results.length} results`);
    assert.equal(report.sent, results.length);
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    assert.deepEqual(results.map((r) => r.seq).sort((a, b) => a - b), results.map((_, i) => i));
    assert.ok(results.every((r) => r.latencyMs >= 35));
    assert.equal((JSON.parse(results[0]?.body.toString() ?? '{}') as { id: string }).id, 'o0');
    assert.deepEqual([...new Set(client.calls.map((c) => (c as { user: { handle: string } }).user.handle))].sort(), ['consumer/vu1', 'consumer/vu2']);
  });

  void it("answers a refusal as the service would: the chaincode code's status and a problem body", async () => {
    const engine = new GatewayEngine(fakeClient(1), identity);
    const { results } = await attack(engine, { model: 'closed', workers: 1 }, 50, () => gatewayRequest('SUBMIT', 'consumer', 'vu1', { contract: 'orders', fn: 'DeclareOrder', args: ['refuse'] }));
    const [first] = results;
    assert.ok(first);
    assert.equal(first.status, 403);
    assert.match(first.error ?? '', /^403 FORBIDDEN_ROLE: only a consumer may declare/);
    assert.equal((JSON.parse(first.body.toString()) as { code: string }).code, 'FORBIDDEN_ROLE');
  });

  void it('open pacing: starts due evenly, at most maxWorkers in flight, those still waiting at the end never sent', async () => {
    const fast = await attack(new GatewayEngine(fakeClient(5), identity), { model: 'open', requests: 10, workers: 2, maxWorkers: 2 }, 300, (i) => gatewayRequest('EVALUATE', 'consumer', 'vu1', { contract: 'orders', fn: 'ReadOrder', args: [`o${i}`] }));
    assert.equal(fast.report.sent, 10);
    const starts = fast.results.map((r) => r.startMs - fast.report.startedMs).sort((a, b) => a - b);
    // Due at 30, 60, ..., 300 ms.
    starts.forEach((start, i) => {
      assert.ok(start >= (i + 1) * 30 - 2 && start < (i + 1) * 30 + 25, `start ${i} at ${start.toFixed(1)} ms`);
    });
    const slow = await attack(new GatewayEngine(fakeClient(250), identity), { model: 'open', requests: 10, workers: 1, maxWorkers: 1 }, 300, (i) => gatewayRequest('EVALUATE', 'consumer', 'vu1', { contract: 'orders', fn: 'ReadOrder', args: [`o${i}`] }));
    // One sender busy 250 ms at a time: the starts due at 30 and (after it frees) one more; the rest never.
    assert.ok(slow.report.sent >= 1 && slow.report.sent <= 2, `${slow.report.sent} sent`);
    assert.equal(slow.results.length, slow.report.sent);
  });
});
