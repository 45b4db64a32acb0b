import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import type { FastifyInstance } from 'fastify';

import { HEALTH_PATH, loadBalancer, stateTopology } from '@energysale/network';

import { buildApp } from './app';

const exec = promisify(execFile);
const cli = (...args: string[]) => exec(process.execPath, [join(__dirname, 'cli.js'), ...args]);

void describe('service users: enrolling virtual users with tokens (live CA and network)', { timeout: 300_000 }, () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp({ logger: false });
  });
  after(async () => {
    await app.close();
  });

  void it('enrolls users through the CA and writes a token for each, which the service accepts as that user', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'users-')), 'users.json');
    const prefix = `cli${Date.now().toString(36)}-`;
    await cli('users', '--org', 'consumer', '--count', '3', '--prefix', prefix, '--out', out);
    const { users } = JSON.parse(readFileSync(out, 'utf8')) as { users: { user: string; handle: string; token: string }[] };
    assert.equal(users.length, 3);
    for (const u of users) {
      const res = await app.inject({ method: 'POST', url: '/participants/me', headers: { authorization: `Bearer ${u.token}` } });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json<{ handle: string }>().handle, res.json<{ role: string }>().role], [u.handle, 'consumer']);
    }
    const [first] = users;
    assert.ok(first);
    const { stdout } = await cli('token', '--org', 'consumer', '--user', first.user);
    assert.equal(stdout.trim(), first.token);
    await cli('revoke', '--org', 'consumer', '--user', first.user);
    const refused = await app.inject({ method: 'GET', url: '/participants/me', headers: { authorization: `Bearer ${first.token}` } });
    assert.equal(refused.statusCode, 401);
  });
});

void describe('service up and down: the service tier beside the live network', { timeout: 300_000 }, () => {
  void it('starts nginx and the instances of the model, ready through the lb, and stops them', async () => {
    const lb = `http://${loadBalancer(stateTopology().topology).endpoint}`;
    const { stdout } = await cli('up');
    assert.match(stdout, new RegExp(`service tier up: ${lb.replace(/\./g, '\\.')}`));
    assert.equal((await fetch(`${lb}${HEALTH_PATH.lb}`)).status, 200);
    assert.equal((await fetch(`${lb}${HEALTH_PATH.service}`)).status, 200, 'an instance ready behind nginx');
    const down = await cli('down');
    assert.match(down.stdout, /stopped .*lb\./);
    await assert.rejects(fetch(`${lb}${HEALTH_PATH.lb}`, { signal: AbortSignal.timeout(2000) }));
    assert.match((await cli('down')).stdout, /nothing \(the service tier was not running\)/);
  });
});
