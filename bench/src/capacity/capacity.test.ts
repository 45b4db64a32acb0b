import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { againstCeiling, ceilings, knee, kneeText, saturation, scaling } from './analysis';
import { repoRoot } from '../table4/provenance';
import { CEILING_MACHINE, CEILING_RAWS, ceilingReport } from '../ceiling/testing/fixture';
import { compareSizes, GrowthError, growthFrom, writeGrowthReport } from './growth';
import { checkInputs, defaultInputs, project, ProjectionInputError } from './projection';
import { CAPACITY_SCHEMA, capacityCsv, fabricCeilingHtml, interferenceNote, writeCapacityReport, type CapacityReport } from './report';
import type { SweepStep } from './sweep';
import { uslThroughput } from './usl';
import { summarise } from '../resources/interference';

const path = (over: Partial<SweepStep>): SweepStep['path'] => over.path ?? 'http';

function step(model: SweepStep['model'], load: number, over: Partial<SweepStep> = {}): SweepStep {
  const throughputPerS = model === 'closed' ? uslThroughput({ lambda: 5, sigma: 0.1, kappa: 0.002 }, load) : load;
  return {
    scenario: 'add_order',
    path: 'http',
    model,
    load,
    requests: 100,
    successes: 100,
    successRatePct: 100,
    throughputPerS,
    latencyS: { avg: 0.5, p50: 0.4, p95: 0.9, p99: 1.2, max: 1.5 },
    expectedIterations: model === 'open' ? load * 5 : null,
    droppedIterations: 0,
    cpuPct: { machine: 40 + 2 * load, chain: 30, service: 8, loadGenerator: 2 },
    cpuMsPerTx: { chain: 80, service: 15, loadGenerator: 1 },
    serviceRequests: path(over) === 'http' ? 120 : 0,
    interference: summarise([]),
    window: { start: '2026-11-26T00:00:00.000Z', end: '2026-11-26T00:00:05.000Z', durationS: 5 },
    ...over,
  };
}

const steps: SweepStep[] = [
  ...[1, 2, 4, 8, 16].map((u) => step('closed', u)),
  step('open', 5),
  step('open', 10),
  step('open', 20, { latencyS: { avg: 2, p50: 1.8, p95: 3.5, p99: 4.2, max: 5 } }),
  step('open', 30, { droppedIterations: 12, successRatePct: 99 }),
  // The harness ceiling: 8 users straight to the gateway, faster and without the service's CPU.
  step('closed', 8, { path: 'gateway', throughputPerS: 30, latencyS: { avg: 0.3, p50: 0.25, p95: 0.5, p99: 0.6, max: 0.7 }, cpuMsPerTx: { chain: 78, service: 0, loadGenerator: 4 } }),
];

void describe('capacity analysis and report', () => {
  void it('finds the knee: the highest offered rate within the p99 objective, all successful, none dropped', () => {
    const k = knee(steps, 'add_order', { p99S: 3 });
    assert.equal(k.ratePerS, 10);
    assert.equal(k.reached, true);
    assert.equal(kneeText(k), '10/s');
    assert.deepEqual(k.beyond, ['20/s: p99 4.20 s > 3 s', '30/s: 99.00 % successful; 12 iterations dropped']);
    assert.equal(knee(steps, 'add_order', { p99S: 1 }).ratePerS, null);
  });

  void it('says when the sweep never reached the knee: every step met the objective, the highest is a lower bound', () => {
    const lenient = knee(steps.filter((s) => s.load <= 10 || s.model === 'closed'), 'add_order', { p99S: 3 });
    assert.deepEqual([lenient.ratePerS, lenient.reached], [10, false]);
    assert.match(kneeText(lenient), /^10\/s or more .*not reached/);
    const measured = { chainCpuMsPerWrite: 80, chainCpuMsPerRead: 6, serviceCpuMsPerWrite: 15, serviceCpuMsPerRead: 3, cores: 2, peers: 7 };
    // A peak above the highest step: not "the deployment must be larger", which was not measured.
    const above = project({ ...defaultInputs(), retailUsers: 1_000_000 }, { ...measured, writeKneePerS: 10, readKneePerS: 100, writeKneeReached: false, readKneeReached: true });
    assert.match(above.findings[0] ?? '', /^Writes: the peak \(\d+\.\d\/s\) is above the sweep's highest step \(10\.0\/s\), which met the objective: whether the 2 cores here serve it was not measured/);
    assert.match(above.findings[1] ?? '', /^Reads: the peak .* the knee measured on 2 cores here; the deployment must be larger/);
    const below = project({ ...defaultInputs(), retailUsers: 1_000 }, { ...measured, writeKneePerS: 10, readKneePerS: 100, writeKneeReached: false, readKneeReached: true });
    assert.match(below.findings[0] ?? '', /serves the peak \(.*needed\) at least \d+\.\d× over/);
  });

  void it('fits the USL to the closed steps and names what saturates', () => {
    const fit = scaling(steps, 'add_order');
    assert.ok(fit.fit && Math.abs(fit.fit.sigma - 0.1) < 0.01 && fit.fit.rSquared > 0.999, JSON.stringify(fit.fit));
    const sat = saturation(steps, 'add_order', 2);
    assert.equal(sat?.step.load, 30);
    assert.match(sat.verdict, /saturates first: 100 % busy at 30\/s, chain the largest share/);
  });

  void it('compares the same closed step over HTTP and straight to the gateway (the harness ceiling); the gateway steps stay out of the USL fit', () => {
    const [c, ...more] = ceilings(steps, 'add_order');
    assert.equal(more.length, 0);
    assert.ok(c);
    assert.equal(c.users, 8);
    assert.ok(Math.abs(c.throughputRatio - 30 / uslThroughput({ lambda: 5, sigma: 0.1, kappa: 0.002 }, 8)) < 1e-9);
    assert.ok(Math.abs(c.addedP50S - 0.15) < 1e-9);
    assert.equal(c.serviceCpuMsPerTx, 15 + 1 - 4);
    assert.match(c.verdict, /^8 users: 30\.0\/s straight to the gateway, .* HTTP adds 150 ms to the median and 12\.0 CPU ms per transaction beside the chain's 79\.0$/);
    assert.deepEqual(scaling(steps, 'add_order').points.map((p) => p.users), [1, 2, 4, 8, 16]);
  });

  void it('says when the service answered requests during a gateway step: the previous step\'s, its service CPU not the gateway path\'s', () => {
    const leaked = steps.map((s) => (s.path === 'gateway' ? { ...s, serviceRequests: 7 } : s));
    const [c] = ceilings(leaked, 'add_order');
    assert.ok(c);
    assert.equal(c.gateway.serviceRequests, 7);
    assert.match(c.verdict, /beside the chain's 79\.0; the service answered 7 requests during this gateway step \(the previous step's, still in flight\): its service CPU is theirs, not the gateway path's$/);
  });

  void it('projects a province: peak writes and reads, headroom over the knees, cores and machines', () => {
    const inputs = { ...defaultInputs(), retailUsers: 36_000, ordersPerUserPerMonth: 1, writesPerOrder: 8, peakShare: 0.5, peakWindowHours: 10, readsPerWrite: 10, safetyFactor: 1 };
    const p = project(inputs, { writeKneePerS: 10, readKneePerS: 100, writeKneeReached: true, readKneeReached: true, chainCpuMsPerWrite: 80, chainCpuMsPerRead: 6, serviceCpuMsPerWrite: 15, serviceCpuMsPerRead: 3, cores: 2, peers: 7 });
    // 36,000 orders x 0.5 x 8 writes over 10 h = 4 writes/s; 40 reads/s.
    assert.ok(Math.abs(p.peakWritesPerS - 4) < 1e-9);
    assert.ok(Math.abs(p.peakReadsPerS - 40) < 1e-9);
    assert.equal(p.writeHeadroom, 2.5);
    assert.equal(p.readHeadroom, 2.5);
    assert.ok(Math.abs(p.chainCores - (4 * 80 + 40 * 6) / 1000) < 1e-9);
    assert.equal(p.machines, 1);
    assert.match(p.findings[0] ?? '', /serves the peak \(4\.0\/s needed\) 2\.5× over/);
    assert.throws(() => { checkInputs({ ...inputs, peakShare: 1.5 }); }, ProjectionInputError);
    assert.throws(() => { checkInputs({ ...inputs, retailUsers: -1 }); }, /retailUsers must be a positive number/);
  });

  void it('writes the report as JSON, CSV (a row per step) and HTML with its charts', async () => {
    const report: CapacityReport = {
      schema: CAPACITY_SCHEMA,
      meta: {
        title: 'test',
        startedAt: '2026-11-26T00:00:00.000Z',
        endedAt: '2026-11-26T00:10:00.000Z',
        commit: { sha: 'b'.repeat(40), dirty: false },
        machine: { cores: 2, memoryGiB: 23.5, cpuModel: 'test CPU', os: 'Linux x64', kernel: '6', node: 'v20' },
        runtime: 'native',
        topology: { size: 'paper', peers: 7, orgs: 3, orderers: 3, hosts: 4 },
        plan: { users: [1, 2, 4, 8, 16], rates: { add_order: [5, 10, 20, 30], order_query: [] }, duration: '5s', warmup: '2s', preloadOrdersPerUser: 1, gatewayUsers: [8] },
        objectives: { add_order: { p99S: 3 }, order_query: { p99S: 0.5 } },
      },
      steps,
      knees: [knee(steps, 'add_order', { p99S: 3 })],
      scaling: [scaling(steps, 'add_order')],
      saturation: [saturation(steps, 'add_order', 2) ?? assert.fail('no saturation')],
      ceilings: ceilings(steps, 'add_order'),
      fabricCeiling: againstCeiling(steps, [], null, CEILING_MACHINE),
      projection: project(defaultInputs(), { writeKneePerS: 10, readKneePerS: null, writeKneeReached: true, readKneeReached: false, chainCpuMsPerWrite: 80, chainCpuMsPerRead: 6, serviceCpuMsPerWrite: 15, serviceCpuMsPerRead: 3, cores: 2, peers: 7 }),
      notes: ['a note'],
    };
    const dir = await mkdtemp(join(tmpdir(), 'capacity-'));
    await writeCapacityReport(dir, report);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'capacity.json'), 'utf8')), JSON.parse(JSON.stringify(report)));
    const csv = (await readFile(join(dir, 'capacity.csv'), 'utf8')).trimEnd().split('\r\n');
    assert.equal(csv.length, steps.length + 1);
    assert.match(csv[0] ?? '', /^scenario,path,model,/);
    assert.equal(capacityCsv(report), await readFile(join(dir, 'capacity.csv'), 'utf8'));
    const html = await readFile(join(dir, 'capacity.html'), 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 4, 'USL, latency, throughput and CPU charts');
    assert.match(html, /USL fit \(σ 0\.100/);
    assert.match(html, /Harness ceiling/);
    // The requests the service answered in each path's step: the HTTP step's own, none at the gateway.
    assert.match(html, /<td>http<\/td>(<td>[^<]*<\/td>){7}<td>120<\/td><\/tr>.*<td>gateway<\/td>(<td>[^<]*<\/td>){7}<td>0<\/td><\/tr>/s);
    assert.match(html, /paper topology: 7 peers, 3 orgs, 3 orderers on 4 hosts/);
    assert.match(html, /no step of the sweep met the objective/);
    assert.match(html, /order of magnitude of a large provincial retail market/);
    assert.match(html, /Interference: no step disturbed/);
    assert.match(html, /No ceiling measured on this machine \(2 cores, test CPU\): run npm run bench -- ceiling/);
  });

  void it("sets each scenario's peak and knee against the ceiling of its kind, with the CPU per transaction at the peak beside the ceiling's", () => {
    const chosen = { dir: join(repoRoot, 'reports', '2026-12-06T1940_ceiling_abcdef0'), report: ceilingReport(CEILING_RAWS) };
    const k = knee(steps, 'add_order', { p99S: 3 });
    const c = againstCeiling(steps, [k], chosen, CEILING_MACHINE);
    assert.equal(c.source?.dir, join('reports', '2026-12-06T1940_ceiling_abcdef0'));
    assert.equal(c.source.clean, true);
    const [write, ...more] = c.scenarios;
    assert.equal(more.length, 0);
    assert.ok(write?.peak && write.knee);
    assert.equal(write.ceilingTest, 'write');
    // The write ceiling: 10 and 11 a second; the sweep's highest HTTP throughput is the open step at 30/s.
    assert.deepEqual(write.ceilingPerS, { median: 10.5, min: 10, max: 11 });
    assert.deepEqual([write.peak.model, write.peak.load, write.peak.throughputPerS, write.peak.fraction], ['open', 30, 30, 30 / 10.5]);
    assert.deepEqual(write.knee, { ratePerS: 10, reached: true, throughputPerS: 10, fraction: 10 / 10.5 });
    assert.equal(write.peak.serviceMsPerTx.test, 15 + 1);
    assert.equal(write.peak.serviceMsPerTx.ceiling, (20 + 200 / 11) / 2);
    assert.equal(write.peak.chainMsPerTx.test, 80);
    assert.ok(Math.abs((write.peak.chainMsPerTx.ceiling ?? 0) - (150 + 1560 / 11) / 2) < 1e-9);
    const html = fabricCeilingHtml({ fabricCeiling: c, meta: { machine: CEILING_MACHINE } as CapacityReport['meta'] });
    assert.match(html, /Ceiling report reports\/2026-12-06T1940_ceiling_abcdef0, .*the latest clean ceiling of this machine/);
    assert.match(html, /<td>add_order<\/td><td>write<\/td><td>10\.5 \(10\.0–11\.0\)<\/td><td>open, 30\/s<\/td><td>30\.0<\/td><td>2\.857 \(285\.7 %\)<\/td><td>10\.0<\/td><td>0\.952 \(95\.2 %\)<\/td><td>16\.00 ms, 19\.09 ms<\/td>/);
    // Another machine's ceiling is never chosen (chooseCeiling); with none, nothing is compared.
    assert.deepEqual(againstCeiling(steps, [k], null, CEILING_MACHINE), { source: null, scenarios: [] });
  });

  void it("names the steps measured beside someone else's load, in the HTML and the CSV", () => {
    const burner = { t: 0, machinePct: 90, oursPct: 50, kernelPct: 1, otherPct: 39, stealPct: 0, foreign: new Map([[4242, { name: 'burner', cpuPct: 39 }]]) };
    const disturbed = step('open', 30, { interference: summarise([burner, { ...burner, t: 1 }]) });
    assert.equal(disturbed.interference.disturbed, true);
    assert.match(interferenceNote([step('open', 5), disturbed]), /DISTURBED: 1 of 2 steps .*add_order http open 30 \(other 39\.0 %; burner pid 4242\)/);
    const csv = capacityCsv({ steps: [disturbed] } as unknown as CapacityReport).split('\r\n');
    const header = (csv[0] ?? '').split(',');
    assert.equal((csv[1] ?? '').split(',')[header.indexOf('disturbed')], 'true');
    assert.equal((csv[1] ?? '').split(',')[header.indexOf('service_requests')], '120');
  });
});

void describe('cost growth over sizes', () => {
  const report = (size: string, peers: number, chainMs: number, over: Partial<CapacityReport['meta']> = {}): { dir: string; report: CapacityReport } => {
    const mine = steps.map((s) => ({ ...s, cpuMsPerTx: { ...s.cpuMsPerTx, chain: chainMs } }));
    return {
      dir: `/reports/${size}`,
      report: {
        schema: CAPACITY_SCHEMA,
        meta: {
          title: size,
          startedAt: '2026-11-26T00:00:00.000Z',
          endedAt: '2026-11-26T00:10:00.000Z',
          commit: { sha: 'c'.repeat(40), dirty: false },
          machine: { cores: 2, memoryGiB: 23.5, cpuModel: 'test CPU', os: 'Linux x64', kernel: '6', node: 'v20' },
          runtime: 'native',
          topology: { size, peers, orgs: 3, orderers: 3, hosts: 4 },
          plan: { users: [1, 2, 4, 8, 16], rates: { add_order: [5, 10, 20, 30], order_query: [] }, duration: '5s', warmup: '2s', preloadOrdersPerUser: 1, gatewayUsers: [8] },
          objectives: { add_order: { p99S: 3 }, order_query: { p99S: 0.5 } },
          ...over,
        },
        steps: mine,
        knees: [knee(mine, 'add_order', { p99S: 3 })],
        scaling: [],
        saturation: [saturation(mine, 'add_order', 2) ?? assert.fail('no saturation')],
        ceilings: [],
        fabricCeiling: { source: null, scenarios: [] },
        projection: project(defaultInputs(), { writeKneePerS: 10, readKneePerS: null, writeKneeReached: true, readKneeReached: false, chainCpuMsPerWrite: 80, chainCpuMsPerRead: 6, serviceCpuMsPerWrite: 15, serviceCpuMsPerRead: 3, cores: 2, peers }),
        notes: [],
      },
    };
  };

  void it('compares the sizes at the heaviest step every size served completely, smallest first, and says what each added peer costs', async () => {
    const growth = compareSizes([report('paper', 7, 70), report('reduced', 3, 40)], '2026-11-26T00:00:00.000Z');
    assert.deepEqual(growth.sizes.map((s) => [s.size, s.peers]), [['reduced', 3], ['paper', 7]]);
    const [small, large] = growth.sizes;
    // The open step at 30/s dropped iterations: 20/s is the heaviest served completely.
    assert.deepEqual(small?.figures.map((f) => [f.scenario, f.model, f.load, f.chainCpuMsPerTx, f.kneePerS]), [['add_order', 'open', 20, 40, 10]]);
    assert.ok(Math.abs((large?.figures[0]?.chainCpuMsPerTxPerPeer ?? 0) - 10) < 1e-9);
    assert.match(growth.findings[0] ?? '', /^add_order, 20\/s offered: chain CPU per transaction 40\.0 ms on 3 peers, 70\.0 ms on 7 \(×1\.75 for ×2\.33 peers; 7\.5 ms per added peer\)/);
    const dir = await mkdtemp(join(tmpdir(), 'growth-'));
    await writeGrowthReport(dir, growth);
    assert.equal((await readFile(join(dir, 'growth.csv'), 'utf8')).trimEnd().split('\r\n').length, 3);
    assert.match(await readFile(join(dir, 'growth.html'), 'utf8'), /chain CPU per transaction against peers/);
  });

  void it('compares capacity reports made before, of @2 (before the ceiling) too, and refuses older ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'growth-from-'));
    const { fabricCeiling, ...before } = report('reduced', 3, 40).report;
    assert.ok(fabricCeiling);
    const written = async (name: string, content: object): Promise<string> => {
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, 'capacity.json'), JSON.stringify(content));
      return join(root, name);
    };
    const reduced = await written('reduced', { ...before, schema: 'energysale-bench/capacity@2' });
    const paper = await written('paper', report('paper', 7, 70).report);
    assert.deepEqual((await growthFrom([reduced, paper], root)).report.sizes.map((s) => s.size), ['reduced', 'paper']);
    const old = await written('old', { ...before, schema: 'energysale-bench/capacity@1' });
    await assert.rejects(growthFrom([old, paper], root), (error: unknown) => error instanceof GrowthError && /capacity@1", not energysale-bench\/capacity@2 or energysale-bench\/capacity@3/.test(error.message));
    await rm(root, { recursive: true, force: true });
  });

  void it('refuses reports of another plan or machine, or a single size', () => {
    const other = report('paper', 7, 70);
    const otherPlan = { ...other, report: { ...other.report, meta: { ...other.report.meta, plan: { ...other.report.meta.plan, duration: '20s' } } } };
    assert.throws(() => compareSizes([report('reduced', 3, 40), otherPlan], ''), GrowthError);
    const otherMachine = { ...other, report: { ...other.report, meta: { ...other.report.meta, machine: { ...other.report.meta.machine, cores: 16 } } } };
    assert.throws(() => compareSizes([report('reduced', 3, 40), otherMachine], ''), /another machine/);
    assert.throws(() => compareSizes([report('reduced', 3, 40)], ''), /at least two sizes/);
  });
});

void describe('a step without a success', () => {
  void it('has no CPU per transaction: "no data" in what follows from it, never 0', () => {
    const none = { chain: null, service: null, loadGenerator: null };
    const failing = [
      step('closed', 8, { cpuMsPerTx: none, successRatePct: 0, throughputPerS: 0 }),
      step('closed', 8, { path: 'gateway', throughputPerS: 30, latencyS: { avg: 0.3, p50: 0.25, p95: 0.5, p99: 0.6, max: 0.7 }, cpuMsPerTx: { chain: 78, service: 0, loadGenerator: 4 } }),
    ];
    const [c] = ceilings(failing, 'add_order');
    assert.ok(c);
    assert.equal(c.serviceCpuMsPerTx, null);
    assert.match(c.verdict, /and no data CPU ms per transaction beside the chain's no data$/);
  });
});
