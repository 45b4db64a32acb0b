import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { serviceInstances, StateLayout, stateTopology, Supervisor } from '@energysale/network';

import { TokenIssuer } from '../auth/tokens';
import { startServiceTier, stopServiceTier, type StartedServiceTier } from '../runtime';
import { LB_HEALTH_PATH } from './nginx';

const layout = new StateLayout();
const supervisor = new Supervisor(layout);
const [first, second] = serviceInstances(stateTopology().topology);
const token = new TokenIssuer(layout).issue({ org: 'consumer', user: 'consumer1' });

void describe('the lb node: nginx in front of both retail service instances (live network, native processes)', { timeout: 300_000 }, () => {
  let tier: StartedServiceTier;
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${tier.url}${path}`, { headers });
  const register = (): Promise<Response> => fetch(`${tier.url}/participants/me`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const servedBy = async (response: Response): Promise<string | null> => {
    await response.arrayBuffer();
    assert.equal(response.status, 200, response.url);
    return response.headers.get('x-served-by');
  };

  before(async () => {
    assert.ok(first && second, 'the model has two service instances');
    tier = await startServiceTier(layout, { withLb: true });
  });
  after(async () => {
    await stopServiceTier(layout);
  });

  void it('answers its own health and, through an instance, readiness', async () => {
    assert.equal((await get(LB_HEALTH_PATH)).status, 200);
    const ready = await get('/health/ready');
    assert.equal(ready.status, 200, await ready.text());
  });

  void it('spreads requests over both instances', async () => {
    const counts = new Map<string | null, number>();
    for (let i = 0; i < 20; i += 1) {
      const by = await servedBy(await get('/openapi.json'));
      counts.set(by, (counts.get(by) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [first?.name, second?.name].sort(), JSON.stringify([...counts]));
  });

  void it("keeps the caller's request id, and makes one for a caller without", async () => {
    const given = `lb-test-${Date.now().toString(36)}`;
    const requestId = async (headers?: Record<string, string>): Promise<string | null> => {
      const response = await get('/health/live', headers);
      await response.arrayBuffer();
      return response.headers.get('x-request-id');
    };
    assert.equal(await requestId({ 'x-request-id': given }), given);
    assert.match((await requestId()) ?? '', /^[0-9a-f]{32}$/);
  });

  void it('passes an authenticated write through', async () => {
    const response = await register();
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assert.equal((JSON.parse(body) as { handle: string }).handle, 'ConsumerOrgMSP/consumer1');
  });

  void it('keeps serving, reads and writes, when one instance stops', async () => {
    assert.ok(first && second);
    assert.equal((await supervisor.stop([first.id])).length, 1);
    for (let i = 0; i < 10; i += 1) assert.equal(await servedBy(await get('/openapi.json')), second.name);
    const write = await register();
    assert.equal(write.status, 200, await write.text());
    assert.equal(write.headers.get('x-served-by'), second.name);
  });

  void it('lets a write in flight finish when its instance is told to stop (SIGTERM)', async (t) => {
    assert.ok(second);
    // The other instance is stopped: the write can only go to this one.
    const record = await supervisor.running(second.id);
    assert.ok(record, `${second.id} runs`);
    const started = Date.now();
    const write = register();
    await sleep(50);
    process.kill(record.pid, 'SIGTERM');
    const response = await write;
    assert.equal(response.status, 200, await response.text());
    assert.equal(response.headers.get('x-served-by'), second.name);
    assert.ok(Date.now() - started > 50, 'the write was still in flight when SIGTERM came');
    // It exits once nginx lets go of its idle keep-alive connection (the upstream keepalive_timeout).
    const answered = Date.now();
    while ((await supervisor.running(second.id)) && Date.now() - answered < 15_000) await sleep(100);
    assert.equal(await supervisor.running(second.id), undefined, `${second.id} exited after draining`);
    t.diagnostic(`write ${answered - started} ms (SIGTERM at 50 ms), instance exited ${Date.now() - answered} ms after answering it`);
    assert.equal((await get('/openapi.json')).status, 502, 'no instance left behind the lb');
  });
});
