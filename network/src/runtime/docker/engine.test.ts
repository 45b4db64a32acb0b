import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ProcessInfo } from '../../util/proc';
import { engineHelpers } from './engine';
import { markerAlive } from './engine-marker';

const proc = (pid: number, ppid: number, ...cmdline: string[]): ProcessInfo => ({ pid, ppid, startTicks: `${pid}00`, cmdline, environ: [], cgroup: undefined });

void describe('the Docker engine this project started', () => {
  void it('is the dockerd of its marker: same pid, same start time, still dockerd', () => {
    const processes = new Map([[100, proc(100, 1, '/usr/sbin/dockerd')], [200, proc(200, 1, '/usr/bin/containerd')]]);
    const read = (pid: number): ProcessInfo | undefined => processes.get(pid);
    assert.equal(markerAlive({ pid: 100, startTicks: '10000' }, read), true);
    assert.equal(markerAlive({ pid: 100, startTicks: '99' }, read), false, 'a later process given the same pid');
    assert.equal(markerAlive({ pid: 200, startTicks: '20000' }, read), false, 'not dockerd');
    assert.equal(markerAlive({ pid: 300, startTicks: '30000' }, read), false, 'gone');
  });

  void it("has for helpers the containerd it started and that containerd's shims, not a system containerd", () => {
    const processes = [
      proc(100, 1, '/usr/sbin/dockerd'),
      proc(101, 100, 'containerd', '--config', '/var/run/docker/containerd/containerd.toml', '--log-level', 'info'),
      proc(102, 1, '/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'abc', '-address', '/run/docker/containerd/containerd.sock'),
      proc(103, 1, '/usr/bin/containerd'),
      proc(104, 1, '/usr/bin/containerd-shim-runc-v2', '-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock'),
      proc(105, 100, '/usr/bin/docker-proxy', '-proto', 'tcp'),
    ];
    assert.deepEqual(engineHelpers(processes, 100), [101, 102]);
  });
});
