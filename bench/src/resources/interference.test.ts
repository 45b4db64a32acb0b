import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { intervalBetween, parseMachineStat, parseProcessStat, summarise, treeWithout, withDescendants, type InterferencePoint, type MachineCpu, type ProcessCpu } from './interference';

const stat = (pid: number, name: string, ppid: number, utime: number, stime: number, flags = 4194560): string =>
  `${pid} (${name}) S ${ppid} ${pid} ${pid} 0 -1 ${flags} 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 12345 1000 100`;

void describe('interference: what else used the machine', () => {
  void it('reads a process line (a name with spaces and parentheses too) and the machine line', () => {
    assert.deepEqual(parseProcessStat(7, stat(7, 'peer', 1, 120, 30)), { pid: 7, ppid: 1, name: 'peer', ticks: 150, childTicks: 0, kernelThread: false });
    assert.deepEqual(parseProcessStat(8, stat(8, 'a (b) c', 7, 1, 2))?.name, 'a (b) c');
    assert.equal(parseProcessStat(9, stat(9, 'kworker/0:1', 2, 0, 5, 0x00208040))?.kernelThread, true);
    assert.equal(parseProcessStat(10, '10 (x) Z 1 10 10 0 -1 0 0 0 0 0 0 0'), undefined);
    assert.deepEqual(parseMachineStat('cpu  100 10 50 800 20 5 15 7 0 0\ncpu0 1 2 3'), { total: 1007, busy: 180, interrupts: 20, steal: 7 });
  });

  void it('takes every descendant of our roots as ours, and nothing else', () => {
    const tree = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 11 },
      { pid: 20, ppid: 1 },
      { pid: 21, ppid: 20 },
    ];
    assert.deepEqual([...withDescendants([10, 99], tree)].sort(), [10, 11, 12]);
    // The benchmark (10) started a node itself (11, with its child 12): the node's subtree is not the benchmark's own.
    assert.deepEqual([...treeWithout(10, [11], tree)], [10]);
    assert.deepEqual([...treeWithout(10, [20], tree)].sort(), [10, 11, 12]);
  });

  void it("splits an interval's busy time into ours, the kernel's and someone else's, and names the others", () => {
    const machine = (total: number, busy: number, interrupts: number, steal: number): MachineCpu => ({ total, busy, interrupts, steal });
    const p = (pid: number, ticks: number, name = 'x', kernelThread = false): ProcessCpu => ({ pid, ppid: 1, name, ticks, childTicks: 0, kernelThread });
    const before = { machine: machine(0, 0, 0, 0), processes: [p(10, 0, 'peer'), p(20, 0, 'burner'), p(30, 0, 'ksoftirqd/0', true)] };
    // 200 ticks of machine (2 cores, 1 s): peer 100, burner 40, a kernel thread 5, interrupts 10, a process started within it 5, 5 unaccounted; 3 steal.
    const after = { machine: machine(200, 165, 10, 3), processes: [p(10, 100, 'peer'), p(20, 40, 'burner'), p(30, 5, 'ksoftirqd/0', true), p(40, 5, 'new')], t: 1000 };
    const point = intervalBetween(before, after, new Set([10]));
    assert.ok(point);
    // pid 40 started within the interval: its 5 ticks are all of this interval, someone else's.
    assert.deepEqual({ ...point, foreign: [...point.foreign] }, { t: 1000, machinePct: 82.5, oursPct: 50, kernelPct: 7.5, otherPct: 25, stealPct: 1.5, foreign: [[20, { name: 'burner', cpuPct: 20 }], [40, { name: 'new', cpuPct: 2.5 }]] });
    assert.equal(intervalBetween(after, after, new Set()), undefined);
  });

  void it("counts what our processes reaped of their children as ours, once: a child seen by no reading, and one that ended", () => {
    const machine = (total: number, busy: number): MachineCpu => ({ total, busy, interrupts: 0, steal: 0 });
    const harness = (ticks: number, childTicks: number): ProcessCpu => ({ pid: 10, ppid: 1, name: 'node', ticks, childTicks, kernelThread: false });
    const vegeta: ProcessCpu = { pid: 11, ppid: 10, name: 'vegeta', ticks: 30, childTicks: 0, kernelThread: false };
    // Interval 1: the harness used 20; a pprof it started and reaped within the interval used 40; vegeta used 30 so far (counted: alive at both readings from 0).
    const first = { machine: machine(0, 0), processes: [harness(0, 0), { ...vegeta, ticks: 0 }] };
    const second = { machine: machine(200, 90), processes: [harness(20, 40), vegeta], t: 1000 };
    assert.deepEqual(intervalBetween(first, second, new Set([10, 11]))?.otherPct, 0);
    // Interval 2: vegeta used 10 more and ended; the harness reaped it (its whole 40 in childTicks) and used 5.
    const third = { machine: machine(400, 105), processes: [harness(25, 80)], t: 2000 };
    const point = intervalBetween(second, third, new Set([10]), new Set([10, 11]));
    assert.deepEqual([point?.oursPct, point?.otherPct], [7.5, 0]);
  });

  void it("takes nothing off for a process of ours that ended unreaped by us: a node reparented to init and killed (a fault)", () => {
    const machine = (total: number, busy: number): MachineCpu => ({ total, busy, interrupts: 0, steal: 0 });
    // A peer started detached hours ago (50,000 ticks so far, parent init), killed; the other peer used 60 in the interval.
    const peer = (pid: number, ticks: number): ProcessCpu => ({ pid, ppid: 1, name: 'peer', ticks, childTicks: 0, kernelThread: false });
    const before = { machine: machine(0, 0), processes: [peer(10, 50_000), peer(11, 40_000)] };
    const after = { machine: machine(200, 70), processes: [peer(11, 40_060)], t: 1000 };
    const point = intervalBetween(before, after, new Set([11]), new Set([10, 11]));
    // Before: 60 - 50,000 ticks ours, "other" 25,005 % of the machine. The 10 ticks nobody accounts for are other's.
    assert.deepEqual([point?.oursPct, point?.otherPct], [30, 5]);
  });

  void it('marks a window disturbed when "other" is above the threshold in more than the share of its seconds', () => {
    const point = (t: number, otherPct: number): InterferencePoint => ({ t, machinePct: 90, oursPct: 80 - otherPct, kernelPct: 5, otherPct, stealPct: 0, foreign: new Map(otherPct > 5 ? [[77, { name: 'burner', cpuPct: otherPct }]] : []) });
    const quiet = Array.from({ length: 20 }, (_, i) => point(i, 1));
    assert.equal(summarise(quiet).disturbed, false);
    const twoLoud = [...quiet.slice(0, 18), point(18, 30), point(19, 30)];
    // 2 of 20 seconds is 10 %: not more than 10 %.
    assert.deepEqual([summarise(twoLoud).aboveSharePct, summarise(twoLoud).disturbed], [10, false]);
    const threeLoud = [...quiet.slice(0, 17), point(17, 30), point(18, 30), point(19, 30)];
    const summary = summarise(threeLoud);
    assert.equal(summary.disturbed, true);
    assert.deepEqual(summary.foreign, [{ pid: 77, name: 'burner', cpuPct: 4.5 }]);
    assert.equal(summarise(threeLoud, { otherPct: 40, sharePct: 10 }).disturbed, false);
    assert.equal(summarise([]).samples, 0);
  });
});
