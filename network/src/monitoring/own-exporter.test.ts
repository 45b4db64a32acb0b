import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import type { ProcessRecord } from '../runtime/native/supervisor';
import { StateLayout } from '../state/layout';
import { writeFakeCgroup, writeFakeProc, type FakeProcess } from '../testing/fake-proc';
import { energysale, monitoring, orderers, peers } from '../topology';
import { startTicksOf } from '../util/proc';
import { renderExposition } from './exposition';
import { loadRegistryDir, readLoadRegistrations, registerLoad } from './load-registry';
import { MonotonicCounters, OwnExporter, TICKS_PER_SECOND } from './own-exporter';
import { accountOwnProcesses, descendants, type ProcessDetails } from './own-processes';
import { ProcSource } from './proc-source';

const [peer0, peer1] = peers(energysale);
const [orderer0] = orderers(energysale);
if (!peer0 || !peer1 || !orderer0) throw new Error('the model has no peers or orderers');

const record = (id: string, kind: ProcessRecord['kind'], pid: number, startTicks: string, container?: string): ProcessRecord => ({
  id,
  kind,
  pid,
  startTicks,
  command: '/bin/x',
  args: [],
  fingerprint: 'f',
  logFile: '/dev/null',
  health: { kind: 'tcp', endpoint: '127.0.0.1:1' },
  ...(container === undefined ? {} : { container }),
});

/** A machine: our peer (with a forked helper and a zombie child), our orderer, and someone else's `peer`. */
const MACHINE: FakeProcess[] = [
  { pid: 1, ppid: 0, comm: 'init', startTicks: '1', utime: 500 },
  { pid: 100, ppid: 1, comm: 'peer', startTicks: '1000', utime: 300, stime: 100, cutime: 40, cstime: 10, rssKb: 1000 },
  { pid: 101, ppid: 100, comm: 'helper (x) y', startTicks: '1001', utime: 20, rssKb: 100 },
  { pid: 102, ppid: 101, comm: 'zombie', startTicks: '1002', utime: 7, state: 'Z' },
  { pid: 200, ppid: 1, comm: 'orderer', startTicks: '2000', utime: 50, rssKb: 500 },
  // Another network's peer, by name exactly like ours.
  { pid: 300, ppid: 1, comm: 'peer', startTicks: '3000', utime: 8888, rssKb: 8888 },
];

function fakeMachine(processes: readonly FakeProcess[] = MACHINE): { proc: string; cgroups: string; state: StateLayout } {
  const dir = mkdtempSync(join(tmpdir(), 'own-exporter-'));
  writeFakeProc(join(dir, 'proc'), processes);
  return { proc: join(dir, 'proc'), cgroups: join(dir, 'cgroup'), state: new StateLayout(join(dir, 'state')) };
}

function writeRecords(state: StateLayout, records: readonly ProcessRecord[]): void {
  mkdirSync(dirname(state.processFile), { recursive: true });
  writeFileSync(state.processFile, JSON.stringify(records));
}

/** The exposition text as (name{labels} -> value). */
function samples(text: string): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

const series = (metric: string, group: string, node: string, host: string): string => `${metric}{group="${group}",node="${node}",host="${host}"}`;

const noDetails: ProcessDetails = { rssBytes: () => 0, cmdline: () => [] };

void describe('own-process accounting', () => {
  void it('finds every descendant by parent pid, and not the siblings', () => {
    const tree = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 11 },
      { pid: 20, ppid: 1 },
    ];
    assert.deepEqual(descendants(10, tree), [10, 11, 12]);
    assert.deepEqual(descendants(20, tree), [20]);
    assert.deepEqual(descendants(99, tree), [99]);
  });

  void it('counts a recorded process with its descendants (zombies included), and nothing else named like it', () => {
    const { proc, cgroups, state } = fakeMachine();
    const source = new ProcSource(state, proc, cgroups);
    const records = [record(peer0.id, 'peer', 100, '1000'), record(orderer0.id, 'orderer', 200, '2000')];
    const figures = accountOwnProcesses(
      records.map((r) => ({ pid: r.pid, startTicks: r.startTicks, node: r.id, host: 'vm', group: r.kind === 'peer' ? 'peer' : 'orderer' })),
      source.processes(),
      source,
    );
    const peer = figures.find((f) => f.group === 'peer');
    // 300+100+40+10 of the peer, 20 of its helper, 7 of the zombie; not the 8888 of the other `peer`.
    assert.equal(peer?.cpuTicks, 477);
    assert.deepEqual(peer.pids, [100, 101, 102]);
    assert.equal(peer.rssBytes, 1100 * 1024);
    assert.equal(figures.find((f) => f.group === 'orderer')?.count, 1);
    assert.equal(figures.length, 2);
  });

  void it('ignores a record whose pid now holds another process (its start time differs)', () => {
    const { proc, cgroups, state } = fakeMachine();
    const source = new ProcSource(state, proc, cgroups);
    const stale = { pid: 300, startTicks: '2999', node: peer1.id, host: 'vm', group: 'peer' as const };
    assert.deepEqual(accountOwnProcesses([stale], source.processes(), source), []);
  });

  void it('splits a benchmark process tree into harness, vegeta and Caliper (its forked workers too)', () => {
    const processes = [
      { pid: 1, ppid: 0, startTicks: '1', comm: 'init', cpuTicks: 0 },
      { pid: 50, ppid: 1, startTicks: '50', comm: 'node', cpuTicks: 10 },
      { pid: 51, ppid: 50, startTicks: '51', comm: 'vegeta', cpuTicks: 20 },
      { pid: 52, ppid: 50, startTicks: '52', comm: 'vegeta', cpuTicks: 30 },
      { pid: 53, ppid: 50, startTicks: '53', comm: 'node', cpuTicks: 40 },
      { pid: 54, ppid: 53, startTicks: '54', comm: 'node', cpuTicks: 50 },
      { pid: 55, ppid: 50, startTicks: '55', comm: 'sh', cpuTicks: 1 },
      // Someone else's vegeta: not in the tree.
      { pid: 60, ppid: 1, startTicks: '60', comm: 'vegeta', cpuTicks: 1000 },
    ];
    const cmdlines = new Map([[53, ['node', '/x/node_modules/@hyperledger/caliper-cli/caliper.js', 'launch', 'manager']], [54, ['node', 'worker.js']]]);
    const figures = accountOwnProcesses([{ pid: 50, startTicks: '50', node: 'bench-50', host: 'vm1', group: 'load' }], processes, {
      rssBytes: () => 1,
      cmdline: (pid) => cmdlines.get(pid) ?? [],
    });
    const byGroup = new Map(figures.map((f) => [f.group, f]));
    assert.deepEqual(byGroup.get('harness')?.pids, [50, 55]);
    assert.deepEqual(byGroup.get('vegeta')?.pids, [51, 52]);
    assert.equal(byGroup.get('vegeta')?.cpuTicks, 50);
    assert.deepEqual(byGroup.get('caliper')?.pids, [53, 54]);
    assert.equal(figures.length, 3);
  });

  void it('counts a process in two recorded trees once', () => {
    const processes = [
      { pid: 10, ppid: 1, startTicks: 'a', comm: 'sh', cpuTicks: 5 },
      { pid: 11, ppid: 10, startTicks: 'b', comm: 'nginx', cpuTicks: 7 },
    ];
    const figures = accountOwnProcesses(
      [
        { pid: 10, startTicks: 'a', node: 'outer', host: 'vm1', group: 'service' },
        { pid: 11, startTicks: 'b', node: 'inner', host: 'vm1', group: 'lb' },
      ],
      processes,
      noDetails,
    );
    assert.deepEqual(figures.map((f) => [f.node, f.cpuTicks]), [['outer', 12]]);
  });

  void it('keeps a counter growing when a process leaves the tree unreaped, and forgets a series that is gone', () => {
    const counters = new MonotonicCounters();
    const scrape = (raws: Record<string, number>): Record<string, number> => Object.fromEntries(counters.scrape(new Map(Object.entries(raws))));
    assert.deepEqual(scrape({ k: 10 }), { k: 10 });
    assert.deepEqual(scrape({ k: 15 }), { k: 15 });
    assert.deepEqual(scrape({ k: 12, other: 3 }), { k: 15, other: 3 });
    assert.deepEqual(scrape({ k: 14, other: 1 }), { k: 17, other: 3 });
    // k gone for a scrape (its node stopped), then back: a new process, counting from its own CPU.
    assert.deepEqual(scrape({ other: 4 }), { other: 6 });
    assert.deepEqual(scrape({ k: 2, other: 5 }), { k: 2, other: 7 });
  });
});

void describe('own-process exporter', () => {
  void it('serves per-node series of our records and registered load only, in the text format', async () => {
    const { proc, cgroups, state } = fakeMachine([...MACHINE, { pid: 400, ppid: 1, comm: 'node', startTicks: '4000', utime: 30, rssKb: 10 }, { pid: 401, ppid: 400, comm: 'vegeta', startTicks: '4001', utime: 70, rssKb: 20 }]);
    writeRecords(state, [record(peer0.id, 'peer', 100, '1000'), record(orderer0.id, 'orderer', 200, '2000'), record(peer1.id, 'peer', 300, 'stale')]);
    const registry = loadRegistryDir(state);
    mkdirSync(registry, { recursive: true });
    writeFileSync(join(registry, 'load-400.json'), JSON.stringify({ pid: 400, startTicks: '4000' }));
    writeFileSync(join(registry, 'load-300.json'), JSON.stringify({ pid: 300, startTicks: 'gone' }));
    const text = await new OwnExporter(energysale, new ProcSource(state, proc, cgroups)).metrics();
    assert.match(text, /^# HELP energysale_process_cpu_seconds_total .+\n# TYPE energysale_process_cpu_seconds_total counter\n/);
    assert.match(text, /# TYPE energysale_process_resident_memory_bytes gauge\n/);
    const values = samples(text);
    const host = peer0.host.name;
    assert.equal(values.get(series('energysale_process_cpu_seconds_total', 'peer', peer0.id, host)), 477 / TICKS_PER_SECOND);
    assert.equal(values.get(series('energysale_process_count', 'peer', peer0.id, host)), 3);
    assert.equal(values.get(series('energysale_process_resident_memory_bytes', 'orderer', orderer0.id, orderer0.host.name)), 500 * 1024);
    const loadHost = monitoring(energysale).harness.host.name;
    assert.equal(values.get(series('energysale_process_cpu_seconds_total', 'harness', 'bench-400', loadHost)), 0.3);
    assert.equal(values.get(series('energysale_process_cpu_seconds_total', 'vegeta', 'bench-400', loadHost)), 0.7);
    // The stale record (pid 300 now someone else's `peer`) and the stale registration: nothing.
    assert.ok(![...values.keys()].some((k) => k.includes(peer1.id) || k.includes('bench-300')), text);
    assert.equal([...values.keys()].filter((k) => k.startsWith('energysale_process_count')).length, 4);
  });

  void it("reads a container's CPU from its whole cgroup, and each host's cgroup as a whole", async () => {
    const { proc, cgroups, state } = fakeMachine([{ pid: 700, ppid: 1, comm: 'peer', startTicks: '7', utime: 1, rssKb: 4, cgroup: '/system.slice/docker-abc.scope' }]);
    writeRecords(state, [record(peer0.id, 'peer', 700, '7', 'peer0')]);
    // A hybrid layout: no memory controller in the container's v2 cgroup, its CPU all the same.
    writeFakeCgroup(cgroups, 'system.slice/docker-abc.scope', 12_500_000);
    const [vm1, vm2] = energysale.hosts;
    if (!vm1 || !vm2) throw new Error('no hosts');
    writeFakeCgroup(cgroups, `energysale/${vm1.address}`, 3_000_000, 4096);
    writeFakeCgroup(cgroups, `energysale/${vm2.address}`, 1_000_000);
    const values = samples(await new OwnExporter(energysale, new ProcSource(state, proc, cgroups)).metrics());
    assert.equal(values.get(series('energysale_process_cpu_seconds_total', 'peer', peer0.id, peer0.host.name)), 12.5);
    assert.equal(values.get(series('energysale_process_resident_memory_bytes', 'peer', peer0.id, peer0.host.name)), 4096);
    assert.equal(values.get(`energysale_host_cgroup_cpu_seconds_total{host="${vm1.name}",address="${vm1.address}"}`), 3);
    assert.equal(values.get(`energysale_host_cgroup_memory_bytes{host="${vm1.name}",address="${vm1.address}"}`), 4096);
    assert.equal(values.get(`energysale_host_cgroup_cpu_seconds_total{host="${vm2.name}",address="${vm2.address}"}`), 1);
    assert.equal([...values.keys()].filter((k) => k.startsWith('energysale_host_cgroup_cpu_seconds_total')).length, 2);
    assert.equal([...values.keys()].filter((k) => k.startsWith('energysale_host_cgroup_memory_bytes')).length, 1);
  });

  void it('escapes label values and help text as the format says', () => {
    const text = renderExposition([{ name: 'm', help: 'a\\b\nc', type: 'gauge', samples: [{ labels: { l: 'x"y\\z\nw' }, value: 1.5 }, { labels: {}, value: NaN }] }]);
    assert.equal(text, '# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l="x\\"y\\\\z\\nw"} 1.5\nm NaN\n');
  });
});

void describe('load registration', () => {
  void it('registers this process, removes stale registrations, and unregisters', () => {
    const state = new StateLayout(mkdtempSync(join(tmpdir(), 'load-registry-')));
    const dir = loadRegistryDir(state);
    const first = registerLoad(state);
    writeFileSync(join(dir, 'load-999999999.json'), JSON.stringify({ pid: 999_999_999, startTicks: '1' }));
    assert.equal(readLoadRegistrations(dir).length, 2);
    first.unregister();
    const second = registerLoad(state);
    assert.deepEqual(readLoadRegistrations(dir), [{ pid: process.pid, startTicks: startTicksOf(process.pid) }]);
    second.unregister();
    assert.equal(existsSync(second.file), false);
    assert.deepEqual(readdirSync(dir), []);
  });
});
