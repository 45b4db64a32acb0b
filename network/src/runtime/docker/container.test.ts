import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout } from '../../state/layout';
import { chooseRuntime, readRuntime, RuntimeMismatchError, type RuntimeChoice } from '../choice';
import type { ProcessSpec } from '../native/supervisor';
import { containerPlan, LABEL, runArgs } from './container';

const docker: Extract<RuntimeChoice, { kind: 'docker' }> = { kind: 'docker', imagePrefix: 'energysale/', hosts: { '127.0.0.9': 'vmX' } };
const spec: ProcessSpec = {
  id: 'node0.example.com',
  kind: 'peer',
  command: '/cache/toolchain/abc/bin/peer',
  args: ['node', 'start'],
  env: { FABRIC_CFG_PATH: '/state/nodes/node0/config' },
  cwd: '/state/nodes/node0/config',
  health: { kind: 'http', url: 'http://127.0.0.9:9444/healthz' },
  binds: [{ endpoint: '127.0.0.9:7051', purpose: 'peer' }],
};
const mounts = { state: '/state', repo: '/repo', cache: '/cache' };

void describe('a process spec as a container', () => {
  const plan = containerPlan(spec, docker, mounts, '/state/logs/node0.log', 'energysale/fabric-peer:2.5.9');

  void it('runs the same command by name (on the image PATH), arguments, environment and working directory', () => {
    assert.deepEqual(plan.command.slice(3), ['peer', 'node', 'start']);
    assert.equal(plan.workdir, spec.cwd);
    assert.deepEqual(plan.env, spec.env);
  });

  void it('is labelled with its node, kind and the model host of the address it binds', () => {
    assert.deepEqual(plan.labels, { [LABEL.node]: spec.id, [LABEL.kind]: 'peer', [LABEL.host]: 'vmX', [LABEL.address]: '127.0.0.9' });
  });

  void it('shares the host network and mounts state (rw), repository and cache (ro) at the same paths', () => {
    const args = runArgs(plan, '/state/logs/node0.log');
    const at = (flag: string): string[] => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
    assert.deepEqual(at('--network'), ['host']);
    assert.deepEqual(at('--volume'), ['/state:/state', '/repo:/repo:ro', '/cache:/cache:ro']);
    assert.ok(at('--env').includes('ENERGYSALE_LOG=/state/logs/node0.log'));
    assert.ok(!args.includes('--pid'), 'a peer does not need the host pid namespace');
    // Image, then the shell line, then what it execs.
    const image = args.indexOf('energysale/fabric-peer:2.5.9');
    assert.deepEqual(args.slice(image + 1), ['-c', 'exec "$0" "$@" >>"$ENERGYSALE_LOG" 2>&1', 'peer', 'node', 'start']);
  });

  void it('gives the exporters the host pid namespace, to see every process of the machine', () => {
    const monitor = containerPlan({ ...spec, kind: 'monitor' }, docker, mounts, '/x.log', 'energysale/prometheus');
    assert.ok(runArgs(monitor, '/x.log').join(' ').includes('--pid host'));
  });
});

void describe('the runtime of a network', () => {
  void it('is native until chosen, is recorded, and cannot change while processes are recorded', async () => {
    const layout = new StateLayout(await mkdtemp(join(tmpdir(), 'runtime-')));
    assert.deepEqual(await readRuntime(layout), { kind: 'native' });
    await chooseRuntime(layout, docker, false);
    assert.deepEqual(await readRuntime(layout), docker);
    await assert.rejects(chooseRuntime(layout, { kind: 'native' }, true), RuntimeMismatchError);
    await chooseRuntime(layout, { kind: 'native' }, false);
    assert.equal((await readRuntime(layout)).kind, 'native');
  });
});
