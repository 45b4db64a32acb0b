import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parsePprofTop, summariseProfile } from './pprof';

/** Lines of `go tool pprof -top` of a consumer peer during the query test (a real profile, cut down). */
const TOP = [
  'File: peer',
  'Build ID: e684ed3cacec07b252ffa3b30d529d36b27a3ffd',
  'Type: cpu',
  'Time: 2026-11-25 17:05:12 UTC',
  'Duration: 10s, Total samples = 3.27s (32.70%)',
  'Showing nodes accounting for 2.57s, 78.59% of 3.27s total',
  'Dropped 333 nodes (cum <= 0.02s)',
  'Showing top 400 nodes out of 504',
  '      flat  flat%   sum%        cum   cum%',
  '     0.25s  7.65%  7.65%      0.25s  7.65%  p256MulInternal',
  '     0.16s  4.89% 12.54%      0.16s  4.89%  p256SqrInternal',
  '     0.12s  3.67% 16.21%      0.39s 11.93%  crypto/internal/fips140/nistec.p256PointDoubleAsm',
  '         0     0% 78.59%      0.88s 26.91%  crypto/ecdsa.VerifyASN1',
  '         0     0% 78.59%      0.69s 21.10%  github.com/hyperledger/fabric/core/aclmgmt.(*aclMgmtImpl).CheckACL',
  '         0     0% 78.59%      1.43s 43.73%  github.com/hyperledger/fabric/core/endorser.(*Endorser).ProcessProposal',
  '         0     0% 78.59%      1.42s 43.43%  github.com/hyperledger/fabric/internal/pkg/gateway.(*Server).Evaluate.func1',
].join('\n');

void describe('pprof summaries', () => {
  void it('reads the duration, the samples and every row of `go tool pprof -top`', () => {
    const top = parsePprofTop(TOP);
    assert.equal(top.durationS, 10);
    assert.equal(top.sampledS, 3.27);
    assert.equal(top.rows.length, 7);
    assert.deepEqual(top.rows[0], { fn: 'p256MulInternal', flatPct: 7.65, cumPct: 7.65 });
    assert.equal(top.rows.find((r) => r.fn.endsWith('CheckACL'))?.cumPct, 21.1);
  });

  void it('sorts activities by their cumulative share and keeps the busiest functions', () => {
    const profile = summariseProfile('a-consumer-peer', 'pprof/order_query/peer0.pb.gz', parsePprofTop(TOP));
    assert.ok(Math.abs(profile.cpuCores - 0.327) < 1e-9);
    assert.deepEqual(
      profile.activities.map((a) => [a.activity.split(' ')[0], a.cumPct]),
      [['endorsement:', 43.73], ['gateway', 43.43], ['signature', 26.91], ['proposal', 21.1]],
    );
    assert.equal(profile.topFunctions[0]?.fn, 'p256MulInternal');
  });

  void it('refuses what is not a pprof listing', () => {
    assert.throws(() => parsePprofTop('go: unknown command'), /not a pprof -top listing/);
  });
});
