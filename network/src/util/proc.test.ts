import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { lineage, parseCgroupV2, parseStat, readProcess, splitNul } from './proc';

void describe('processes as /proc shows them', () => {
  void it('reads the parent and the start time after a command name with spaces and parentheses', () => {
    // Fields 5 to 21 (pgrp ... itrealvalue), then the start time.
    const tail = Array.from({ length: 17 }, (_, i) => String(i)).join(' ');
    assert.deepEqual(parseStat(`42 (a (b) c) S 7 ${tail} 987654 more`), { ppid: 7, startTicks: '987654' });
    assert.equal(parseStat(`42 (zombie) Z 7 ${tail} 987654`), undefined);
    assert.equal(parseStat(''), undefined);
  });

  void it('splits NUL-separated files and finds the cgroup v2 line of a hybrid layout', () => {
    assert.deepEqual(splitNul('peer\0node\0start\0'), ['peer', 'node', 'start']);
    assert.equal(parseCgroupV2('12:memory:/x\n0::/energysale/127.0.0.2\n'), '/energysale/127.0.0.2');
    assert.equal(parseCgroupV2('12:memory:/x\n'), undefined);
  });

  void it('follows a process up to init', () => {
    const processes = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 20, ppid: 10 },
      { pid: 30, ppid: 1 },
    ];
    assert.deepEqual([...lineage(20, processes)], [20, 10, 1]);
  });

  void it('reads this process', () => {
    const self = readProcess(process.pid);
    assert.equal(self?.ppid, process.ppid);
    assert.equal(self.cmdline[0], process.execPath);
  });
});
