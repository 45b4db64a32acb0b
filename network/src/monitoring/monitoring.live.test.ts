import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { isRunning, Supervisor, type ProcessRecord } from '../runtime/native/supervisor';
import { StateLayout } from '../state/layout';
import { topology } from '../testing/live';
import { monitoring } from '../topology';
import { lineage, listProcesses } from '../util/proc';
import { cpuPercentQuery, memoryPercentQuery, RESOURCE_SUBJECTS } from './figures';
import { registerLoad } from './load-registry';
import { OWN_PROCESS_METRIC, TICKS_PER_SECOND } from './own-exporter';
import { CHAIN_GROUPS, GROUP_OF_KIND } from './own-processes';
import { PrometheusClient } from './query';
import { startMonitoring } from './stack';

/*
 * Against the shared network: Prometheus and the exporters start from the generated config, every
 * Fabric node is scraped, our own process exporter counts exactly the state's processes (and not a
 * stranger named like a peer), and each resource figure the report uses has a value in range.
 */

const layout = new StateLayout();
const exporterUrl = `http://${monitoring(topology).ownExporter.endpoint}/metrics`;

/** The exporter's samples of one metric now: (labels, value). */
async function scrapeOwn(metric: string): Promise<{ group: string; node: string; host: string; value: number }[]> {
  const text = await (await fetch(exporterUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => {
      const labels = new Map([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']));
      return { group: labels.get('group') ?? '', node: labels.get('node') ?? '', host: labels.get('host') ?? '', value: Number(line.slice(line.lastIndexOf(' ') + 1)) };
    });
}

/** A copy of a system binary under another name: a process the kernel names `name`, started by this test, none of the network's. */
function impostor(binary: string, name: string, args: readonly string[]): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'impostor-'));
  const path = join(dir, name);
  copyFileSync(binary, path);
  const child = spawn(path, args, { stdio: 'ignore' });
  child.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  return child;
}

/** CPU seconds of the chain's recorded processes and all their descendants, read from /proc here (not by the exporter's code). */
function chainCpuFromProc(records: readonly ProcessRecord[]): { seconds: number; processes: number } {
  const roots = new Set(records.filter((r) => CHAIN_GROUPS.includes(GROUP_OF_KIND[r.kind]) && isRunning(r)).map((r) => r.pid));
  const all = listProcesses();
  let ticks = 0;
  let processes = 0;
  for (const p of all) {
    if (![...lineage(p.pid, all)].some((pid) => roots.has(pid))) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${String(p.pid)}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // utime, stime, cutime, cstime: fields 14-17, the 12th to 15th after the command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    processes += 1;
  }
  return { seconds: ticks / TICKS_PER_SECOND, processes };
}

void describe('monitoring (live)', () => {
  const prometheus = new PrometheusClient(monitoring(topology).prometheus.endpoint);
  const strangers: ChildProcess[] = [];

  before(async () => {
    await startMonitoring(layout, topology);
  });

  after(() => {
    for (const child of strangers) child.kill('SIGKILL');
  });

  void it('scrapes every peer, orderer and exporter of the model', async () => {
    const targets = await prometheus.waitForTargets(['peer', 'orderer', 'node', 'process', 'prometheus']);
    const up = new Set(targets.filter((t) => t.health === 'up').map((t) => t.node));
    const m = monitoring(topology);
    for (const id of [m.nodeExporter.id, m.ownExporter.id, m.prometheus.id]) assert.ok(up.has(id), `${id} is not scraped`);
    assert.equal(targets.filter((t) => t.job === 'peer' && t.health === 'up').length, 7);
    assert.equal(targets.filter((t) => t.job === 'orderer' && t.health === 'up').length, 3);
  });

  void it("the exporter's chain CPU is the sum over the state's recorded processes and their descendants", async () => {
    const records = await new Supervisor(layout).records();
    const chainSeconds = async (): Promise<number> =>
      (await scrapeOwn(OWN_PROCESS_METRIC.cpuSeconds)).filter((s) => (CHAIN_GROUPS as readonly string[]).includes(s.group)).reduce((sum, s) => sum + s.value, 0);
    // Compared as increments over a few seconds: the exporter's counters carry what a node used
    // before it was restarted (a counter never goes down), /proc only what the running ones used.
    const firstBefore = chainCpuFromProc(records);
    const first = await chainSeconds();
    const firstAfter = chainCpuFromProc(records);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = chainCpuFromProc(records);
    const second = await chainSeconds();
    const counted = (await scrapeOwn(OWN_PROCESS_METRIC.count)).filter((s) => (CHAIN_GROUPS as readonly string[]).includes(s.group));
    const afterwards = chainCpuFromProc(records);
    const chain = (await scrapeOwn(OWN_PROCESS_METRIC.cpuSeconds)).filter((s) => (CHAIN_GROUPS as readonly string[]).includes(s.group));
    const exported = second - first;
    // The chain keeps running between the reads: the exporter's increment lies between the narrowest and widest /proc ones (a tick of rounding either side).
    const low = before.seconds - firstAfter.seconds;
    const high = afterwards.seconds - firstBefore.seconds;
    assert.ok(high > 0, 'the chain used no CPU in 3 s: nothing to compare');
    assert.ok(exported >= low - 0.02 && exported <= high + 0.02, `exporter +${exported.toFixed(2)} s, /proc +${low.toFixed(2)}..${high.toFixed(2)} s`);
    assert.equal(counted.reduce((sum, s) => sum + s.value, 0), afterwards.processes);
    assert.equal(new Set(chain.filter((s) => s.group === 'peer').map((s) => s.node)).size, 7);
    assert.equal(new Set(chain.filter((s) => s.group === 'orderer').map((s) => s.node)).size, 3);
    assert.equal(new Set(chain.filter((s) => s.group === 'chaincode').map((s) => s.node)).size, topology.chaincode.servers.length);
  });

  void it("each host's cgroup, where the native runtime made them, used at least the CPU of the nodes it holds", async (t) => {
    const hosts = await scrapeOwn(OWN_PROCESS_METRIC.hostCgroupCpuSeconds);
    if (hosts.length === 0) {
      t.skip('no host cgroups here (cgroup v2 not writable)');
      return;
    }
    assert.equal(hosts.length, topology.hosts.length);
    const nodes = await scrapeOwn(OWN_PROCESS_METRIC.cpuSeconds);
    for (const host of hosts) {
      const held = nodes.filter((n) => n.host === host.host && !n.node.startsWith('bench-'));
      // Ticks of 10 ms per process against the cgroup's microseconds: a tick of rounding each.
      const sum = held.reduce((total, n) => total + n.value, 0);
      assert.ok(held.length > 0 && host.value >= sum - 0.01 * held.length, `${host.host}: cgroup ${host.value} s, its nodes ${sum} s`);
    }
  });

  void it('does not count a process that is not ours, named `peer`', async () => {
    const peersBefore = (await scrapeOwn(OWN_PROCESS_METRIC.count)).filter((s) => s.group === 'peer').reduce((sum, s) => sum + s.value, 0);
    const stranger = impostor('/bin/sleep', 'peer', ['60']);
    strangers.push(stranger);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(`/proc/${String(stranger.pid)}/comm`, 'utf8').trim(), 'peer');
    const peers = (await scrapeOwn(OWN_PROCESS_METRIC.count)).filter((s) => s.group === 'peer');
    assert.equal(peers.reduce((sum, s) => sum + s.value, 0), peersBefore);
    assert.equal(peers.length, 7);
    // And through Prometheus, after a scrape or two with the stranger running.
    await new Promise((r) => setTimeout(r, 2500));
    const [sample] = await prometheus.query(`sum(${OWN_PROCESS_METRIC.count}{group="peer"})`);
    assert.equal(sample?.value, peersBefore);
    stranger.kill('SIGKILL');
  });

  void it("counts a registered benchmark process's tree as load, by which child it is, until it unregisters", async () => {
    const registration = registerLoad(layout);
    try {
      const vegeta = impostor('/bin/sleep', 'vegeta', ['60']);
      strangers.push(vegeta);
      await new Promise((r) => setTimeout(r, 200));
      const counts = (await scrapeOwn(OWN_PROCESS_METRIC.count)).filter((s) => s.node === `bench-${String(process.pid)}`);
      assert.equal(counts.find((s) => s.group === 'vegeta')?.value, 1);
      assert.ok((counts.find((s) => s.group === 'harness')?.value ?? 0) >= 1, JSON.stringify(counts));
      vegeta.kill('SIGKILL');
    } finally {
      registration.unregister();
    }
    const left = (await scrapeOwn(OWN_PROCESS_METRIC.count)).filter((s) => s.node === `bench-${String(process.pid)}`);
    assert.deepEqual(left, []);
  });

  void it('every resource figure of the report has a value in 0–100 %, and the chain is busy but not over the machine', async () => {
    // irate needs two scrapes of every series.
    await new Promise((r) => setTimeout(r, 3000));
    for (const subject of RESOURCE_SUBJECTS) {
      for (const query of [cpuPercentQuery(subject), memoryPercentQuery(subject)]) {
        const [sample, ...more] = await prometheus.query(query);
        assert.ok(sample, `no value for ${query}`);
        assert.equal(more.length, 0, `${query} has more than one series`);
        assert.ok(sample.value >= 0 && sample.value <= 100, `${query} = ${sample.value}`);
      }
    }
    const [chainMem] = await prometheus.query(memoryPercentQuery('chain'));
    assert.ok((chainMem?.value ?? 0) > 0, 'the chain uses no memory?');
  });
});
