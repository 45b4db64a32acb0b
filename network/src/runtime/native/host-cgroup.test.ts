import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { addressOfSpec, cgroup2Root, cutRules, hostCgroupAddresses, hostCgroupPath, inCgroup, removeHostCgroups } from './host-cgroup';

void describe('a host cut off by cgroup and iptables', () => {
  void it('finds the unified hierarchy among the mounts, in a hybrid layout or none', () => {
    const hybrid = ['cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0', 'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0'].join('\n');
    assert.equal(cgroup2Root(hybrid), '/sys/fs/cgroup/unified');
    assert.equal(cgroup2Root('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0'), '/sys/fs/cgroup');
    assert.equal(cgroup2Root('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0'), undefined);
  });

  void it("takes a node's host address from the first endpoint it binds", () => {
    assert.equal(addressOfSpec({ binds: [{ endpoint: '127.0.0.42:1234', purpose: 'x' }] }), '127.0.0.42');
    assert.equal(addressOfSpec({ binds: [] }), undefined);
  });

  void it("accepts the host's traffic to itself first, then drops what reaches it and what it sends", () => {
    const rules = cutRules('127.0.0.42');
    assert.deepEqual(
      rules.map((r) => r.at(-1)),
      ['ACCEPT', 'DROP', 'DROP'],
    );
    assert.deepEqual(rules[0], ['-m', 'cgroup', '--path', hostCgroupPath('127.0.0.42'), '-m', 'conntrack', '--ctorigdst', '127.0.0.42', '-j', 'ACCEPT']);
    assert.deepEqual(rules[1], ['-d', '127.0.0.42', '-j', 'DROP']);
    assert.deepEqual(rules[2], ['-m', 'cgroup', '--path', 'energysale/127.0.0.42', '-j', 'DROP']);
  });

  void it('starts the command itself (same pid, its arguments intact) after writing its pid', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cgroup-')), 'cgroup.procs');
    const { command, args } = inCgroup(file, process.execPath, ['-e', 'process.stdout.write(`${process.pid} ${process.argv[1]}`)', 'two words']);
    const out = execFileSync(command, args, { encoding: 'utf8' });
    const [pid, arg] = [out.slice(0, out.indexOf(' ')), out.slice(out.indexOf(' ') + 1)];
    assert.equal(readFileSync(file, 'utf8').trim(), pid);
    assert.equal(arg, 'two words');
  });

  void it('removes the empty host cgroups and then their parent; leaves one with processes in it, and says why', () => {
    const root = mkdtempSync(join(tmpdir(), 'cgroup2-'));
    // A real cgroup directory holds pseudo-files and still rmdirs; here an empty one stands for it.
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) mkdirSync(join(root, hostCgroupPath(address)), { recursive: true });
    assert.deepEqual(hostCgroupAddresses(root).sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    const busy = join(root, hostCgroupPath('127.0.0.4'));
    writeFileSync(join(busy, 'cgroup.procs'), '4242\n');

    const first = removeHostCgroups(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.9'], root);
    assert.deepEqual(first.removed, [join(root, 'energysale', '127.0.0.2'), join(root, 'energysale', '127.0.0.3')]);
    assert.deepEqual(first.left, [
      { path: busy, why: 'processes 4242 are in it' },
      { path: join(root, 'energysale'), why: 'it holds 127.0.0.4' },
    ]);

    // Its processes gone (a real cgroup.procs then reads empty; here the file goes).
    rmSync(join(busy, 'cgroup.procs'));
    const second = removeHostCgroups(['127.0.0.4'], root);
    assert.deepEqual(second, { removed: [busy, join(root, 'energysale')], left: [] });
    assert.equal(existsSync(join(root, 'energysale')), false);
  });
});
