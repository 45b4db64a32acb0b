import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { repoRoot } from '../util/paths';
import type { ProcessInfo } from '../util/proc';
import { commandName, mentionsPath, onState, processLeftovers, residueLeftovers } from './leftovers';

const TEST_STATE = '/r/network/.state-test';

const proc = (pid: number, ppid: number, cmdline: string[], more: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid,
  startTicks: `${pid}00`,
  cmdline,
  environ: [],
  cgroup: '/user.slice',
  ...more,
});

void describe('what of ours is left on the machine', () => {
  void it('finds a state named in a text, but not a sibling whose name it begins', () => {
    assert.equal(mentionsPath(['FABRIC_CFG_PATH=/r/network/.state-test/nodes/peer0/config'], TEST_STATE), true);
    assert.equal(mentionsPath(['--config', TEST_STATE], TEST_STATE), true);
    assert.equal(mentionsPath(['/r/network/.state-test-reliability/logs/x.log'], TEST_STATE), false);
    assert.equal(mentionsPath(['/r/network/.state-test2'], TEST_STATE), false);
    assert.equal(mentionsPath(['x=/r/network/.state-test:/y'], TEST_STATE), true);
  });

  void it('counts recorded, state-naming and host-cgroup processes, once each, and never the check or its ancestors', () => {
    const processes = [
      proc(1, 0, ['/sbin/init']),
      proc(50, 1, ['node', 'scripts/test.mjs'], { environ: [`ENERGYSALE_STATE=${TEST_STATE}`] }),
      proc(60, 50, ['node', 'network/dist/cli/main.js', 'leftovers'], { environ: [`ENERGYSALE_STATE=${TEST_STATE}`] }),
      proc(100, 1, ['peer', 'node', 'start'], { environ: [`FABRIC_CFG_PATH=${TEST_STATE}/nodes/peer0/config`], cgroup: '/energysale/127.0.0.2' }),
      proc(101, 1, ['orderer'], { environ: [`FABRIC_CFG_PATH=${TEST_STATE}/nodes/orderer0/config`] }),
      proc(102, 1, ['tail', '-f', `${TEST_STATE}/logs/peer0.log`]),
      proc(103, 1, ['nginx'], { cgroup: '/energysale/127.0.0.5' }),
      proc(104, 1, ['sshd']),
      proc(105, 1, ['peer', 'node', 'start'], { environ: ['FABRIC_CFG_PATH=/r/network/.state/nodes/peer0/config'] }),
      proc(106, 1, []),
    ];
    const states = [{ dir: TEST_STATE, records: [{ id: 'peer0.org1', pid: 100, startTicks: '10000' }, { id: 'orderer0', pid: 101, startTicks: 'earlier' }] }];
    const found = processLeftovers(processes, states, 60);
    assert.deepEqual(
      found.map((l) => l.what),
      [
        `pid 100 peer (peer0.org1 of ${TEST_STATE}, in cgroup /energysale/127.0.0.2)`,
        `pid 101 orderer (of ${TEST_STATE})`,
        `pid 102 tail (of ${TEST_STATE})`,
        'pid 103 nginx (in cgroup /energysale/127.0.0.5)',
      ],
    );
    assert.deepEqual(
      found.map((l) => l.remedy),
      [
        `ENERGYSALE_STATE=${TEST_STATE} npm run network -- down`,
        `ENERGYSALE_STATE=${TEST_STATE} npm run network -- down, or kill 101`,
        `ENERGYSALE_STATE=${TEST_STATE} npm run network -- down, or kill 102`,
        'kill 103',
      ],
    );
  });

  void it('names a process by its program (and the script an interpreter runs), never its arguments', () => {
    assert.equal(commandName(['/opt/bin/fabric-ca-server', 'start', '-b', 'admin:secret']), 'fabric-ca-server');
    assert.equal(commandName(['/usr/bin/node', '/r/node_modules/fabric-shim/cli.js', 'server']), 'node cli.js');
    assert.equal(commandName([]), '');
  });

  void it('runs the CLI on the default state without ENERGYSALE_STATE', () => {
    assert.equal(onState(join(repoRoot, 'network', '.state'), 'clean'), 'npm run network -- clean');
  });

  void it("lists an engine's residue by table and bridge", () => {
    const residue = {
      tables: [{ family: 'iptables' as const, table: 'nat', chains: ['DOCKER'], rules: [{ chain: 'PREROUTING', args: ['-j', 'DOCKER'] }] }],
      bridges: ['docker0'],
    };
    assert.deepEqual(
      residueLeftovers(residue, 'engine stop').map((l) => [l.kind, l.what]),
      [
        ['iptables', 'iptables -t nat: chains DOCKER, 1 rule(s) of the built-in chains for them'],
        ['bridge', 'bridge docker0'],
      ],
    );
  });
});
