import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { energysale, loadBalancer, serviceInstances } from '@energysale/network';

import { locateNginx } from '../runtime';
import { nginxConfig, UPSTREAM } from './nginx';

void describe('nginx.conf of the lb node, generated from the topology model', () => {
  let prefix: string;
  let config: string;

  before(async () => {
    prefix = await mkdtemp(join(tmpdir(), 'energysale-nginx-'));
    config = nginxConfig(energysale, { prefix });
  });
  after(async () => {
    await rm(prefix, { recursive: true, force: true });
  });

  void it('sends to every retail service instance of the model, and to nothing else', () => {
    const upstream = new RegExp(`upstream ${UPSTREAM} \\{([^}]*)\\}`).exec(config)?.[1];
    assert.ok(upstream, config);
    const servers = [...upstream.matchAll(/^\s*server (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(servers, serviceInstances(energysale).map((s) => s.endpoint));
    assert.match(upstream, /^\s*keepalive \d+;/m);
  });

  void it("listens on the model's lb endpoint only", () => {
    assert.deepEqual([...config.matchAll(/^\s*listen (\S+);/gm)].map((m) => m[1]), [loadBalancer(energysale).endpoint]);
    const endpoints = new Set([...serviceInstances(energysale), loadBalancer(energysale)].map((s) => s.endpoint));
    for (const [endpoint] of config.matchAll(/\d+\.\d+\.\d+\.\d+:\d+/g)) assert.ok(endpoints.has(endpoint), `${endpoint} is not in the model`);
  });

  void it('keeps every file nginx writes inside its prefix', () => {
    const paths = [...config.matchAll(/^\s*(?:pid|error_log|access_log|\w+_temp_path) (?!off;)(\S+?);?(?: |$)/gm)].map((m) => m[1] ?? '');
    assert.equal(paths.length, 8, paths.join(', '));
    for (const path of paths) assert.ok(path.startsWith(`${prefix}/`), path);
  });

  void it('lets nginx retry only what is safe to repeat: never a write that reached an instance', () => {
    assert.match(config, /^\s*proxy_next_upstream error timeout;$/m);
    assert.doesNotMatch(config, /^\s*proxy_next_upstream .*non_idempotent/m);
  });

  void it('is accepted by nginx -t', async () => {
    const conf = join(prefix, 'nginx.conf');
    await writeFile(conf, config);
    const { stderr } = await promisify(execFile)(locateNginx(), ['-t', '-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')]);
    assert.match(stderr, /test is successful/);
  });
});
