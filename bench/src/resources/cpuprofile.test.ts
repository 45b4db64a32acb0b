import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CpuProfileError, packageOf, summariseCpuProfile, type CpuProfile } from './cpuprofile';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('(idle)', '') },
    { id: 3, callFrame: frame('mod', 'file:///x/node_modules/@noble/curves/abstract/modular.js', 38) },
    { id: 4, callFrame: frame('makeUnaryRequest', 'file:///x/node_modules/@grpc/grpc-js/build/src/client.js', 123) },
    { id: 5, callFrame: frame('read', 'file:///work/main/service/dist/routes/ledger.js', 17) },
    { id: 6, callFrame: frame('(garbage collector)', '') },
    { id: 7, callFrame: frame('emit', 'node:events', 470) },
  ],
  // Idle 5 ms (left out), then 40 + 30 + 20 + 6 + 4 ms busy.
  samples: [2, 3, 3, 4, 5, 6, 7],
  timeDeltas: [5000, 20000, 20000, 30000, 20000, 6000, 4000],
};

describe('CPU profile summary', () => {
  it('shares the busy time by package and by function, idle left out', () => {
    const s = summariseCpuProfile(PROFILE);
    assert.equal(s.busyMs, 100);
    assert.deepEqual(
      s.byPackage.map((p) => [p.name, p.pct]),
      [
        ['@noble/curves', 40],
        ['@grpc/grpc-js', 30],
        ['@energysale/service', 20],
        ['V8: garbage collector', 6],
        ['node (core modules)', 4],
      ],
    );
    assert.equal(s.topFunctions[0]?.name, 'mod @noble/curves/abstract/modular.js:39');
    assert.equal(summariseCpuProfile(PROFILE, 2).byPackage.length, 2);
  });

  it('names packages, scoped or not, and our workspaces', () => {
    assert.equal(packageOf('file:///a/node_modules/fastify/lib/reply.js', 'x'), 'fastify');
    assert.equal(packageOf('file:///a/node_modules/b/node_modules/@x/y/z.js', 'x'), '@x/y');
    assert.equal(packageOf('file:///a/network/dist/util/cli.js', 'x'), '@energysale/network');
    assert.equal(packageOf('', '(program)'), 'V8: native code (program)');
  });

  it('refuses a profile whose samples and deltas do not pair, or name unknown nodes', () => {
    assert.throws(() => summariseCpuProfile({ ...PROFILE, timeDeltas: [1] }), CpuProfileError);
    assert.throws(() => summariseCpuProfile({ ...PROFILE, samples: [...PROFILE.samples.slice(0, 6), 99] }), CpuProfileError);
  });
});
