import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout } from '../../state/layout';
import { chooseRuntime, readRuntime, RuntimeMismatchError, type RuntimeChoice } from '../choice';
import type { ProcessSpec } from '../native/supervisor';
import { containerPlan, hostOfSpec, LABEL, launchScript, runArgs } from './container';

const docker: Extract<RuntimeChoice, { kind: 'docker' }> = { kind: 'docker', imagePrefix: 'energysale/', hosts: { '127.0.0.9': 'vmX' } };
const spec: ProcessSpec = {
  id: 'node0.example.com',
  kind: 'peer',
  command: '/cache/toolchain/abc/bin/peer',
  args: ['node', 'start'],
  env: { FABRIC_CFG_PATH: '/state/nodes/node0/config' },
  cwd: '/state/nodes/node0/config',
  health: { kind: 'http', url: 'http://127.0.0.9:1234/healthz' },
  binds: [{ endpoint: '127.0.0.9:1235', purpose: 'peer' }],
};
const mounts = { state: '/state', repo: '/repo', cache: '/cache' };

void describe('a process spec as a container', () => {
  const host = hostOfSpec(spec, docker);
  const plan = containerPlan({ id: spec.id, kind: spec.kind, host }, 'energysale/fabric-peer:2.5.9', mounts);

  void it('runs a launch script with the same working directory, environment, command (by name, on the image PATH), arguments and log', () => {
    assert.equal(
      launchScript(spec, '/state/logs/node0.log').split('\n').slice(2).join('\n'),
      "cd '/state/nodes/node0/config' || exit 1\nexport FABRIC_CFG_PATH='/state/nodes/node0/config'\nexec 'peer' 'node' 'start' >>'/state/logs/node0.log' 2>&1\n",
    );
    assert.equal(plan.script, '/state/containers/node0.example.com.sh');
  });

  void it('quotes what the shell would otherwise read', () => {
    const line = launchScript({ ...spec, args: ["it's", '$HOME', '`x`'] }, '/l').split('\n').find((l) => l.startsWith('exec')) ?? '';
    assert.equal(line, `exec 'peer' 'it'\\''s' '$HOME' '\`x\`' >>'/l' 2>&1`);
  });

  void it('is labelled with its node, kind and the model host of the address it binds', () => {
    assert.deepEqual(host, { name: 'vmX', address: '127.0.0.9' });
    assert.deepEqual(plan.labels, { [LABEL.node]: spec.id, [LABEL.kind]: 'peer', [LABEL.host]: 'vmX', [LABEL.address]: '127.0.0.9' });
  });

  void it('shares the host network and mounts state (rw), repository and cache (ro) at the same paths', () => {
    const args = runArgs(plan);
    const at = (flag: string): string[] => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
    assert.deepEqual(at('--network'), ['host']);
    assert.deepEqual(at('--volume'), ['/state:/state', '/repo:/repo:ro', '/cache:/cache:ro']);
    assert.ok(!args.includes('--pid'), 'a peer does not need the host pid namespace');
    assert.deepEqual(args.slice(-2), ['energysale/fabric-peer:2.5.9', plan.script]);
  });

  void it('gives the exporters the host pid namespace, to see every process of the machine', () => {
    const monitor = containerPlan({ id: 'm', kind: 'monitor' }, 'energysale/prometheus', mounts);
    assert.ok(runArgs(monitor).join(' ').includes('--pid host'));
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
