/**
 * `bench run <script.ts>`: a script on this machine's network (when one is up: the retail service
 * started in front of it, Prometheus progress metrics and the control API on the harness endpoint),
 * the end-of-test summary, outputs, a report under reports/.
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

import { monitoring, NativeNetwork, StateLayout } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { ProgressMetrics } from '../progress/metrics';
import { reportDirName } from '../report/render';
import { serveMetrics, type MetricsServer } from '../progress/server';
import { commit, machine } from '../table4/provenance';
import { startOwnServiceTier, type OwnServiceTier } from '../interrupt';
import { textSummary } from './api/summary';
import { progressReporter, progressSink, scriptEngine } from './benchmark';
import { compileScript } from './loader';
import type { ScriptNetwork } from './runtime/context';
import type { VuControl } from './runtime/executors';
import type { MetricDef, Tags } from './runtime/metrics';
import type { Overrides } from './runtime/resolve';
import { EXIT, runScript, type RunProgress, type ScriptRunResult } from './runtime/run';
import { rawSamples, writeRunReport, type RunReport } from './report';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** k6's REST API address when there is no network (and so no harness endpoint). */
export const DEFAULT_CONTROL_ADDRESS = '127.0.0.1:6565';

export interface RunCommand {
  readonly script: string;
  readonly overrides: Overrides;
  readonly env: Readonly<Record<string, string>>;
  /** --out json=FILE */
  readonly outJson?: string;
  readonly summaryExport?: string;
  /** Start no retail service (a script that brings its own URL). */
  readonly noService: boolean;
  /** Where the report goes; null for none. */
  readonly reportsDir: string | null;
  /** The control API and progress metrics; default the harness endpoint of the network, else 127.0.0.1:6565. */
  readonly address?: string;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The network of the state, if it is up; undefined when there is none (a script may still run against its own URL). */
async function openNetwork(): Promise<{ layout: StateLayout; network: NativeNetwork } | { why: string }> {
  const layout = new StateLayout();
  try {
    const network = await NativeNetwork.ofState(layout);
    const down = (await network.status()).filter((n) => !n.healthy);
    return down.length === 0 ? { layout, network } : { why: `nodes down: ${down.map((n) => n.id).join(', ')}` };
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) };
  }
}

/** Where a running `bench run` serves its control API: the harness endpoint of the state's network, else k6's default. */
export async function controlAddress(): Promise<string> {
  const found = await openNetwork();
  return 'why' in found ? DEFAULT_CONTROL_ADDRESS : monitoring(found.network.topology).harness.endpoint;
}

/** k6's JSON output: a Metric line the first time a metric is seen, then a Point line per sample. */
function jsonOutput(stream: WriteStream): (def: MetricDef, value: number, tags: Tags, timeMs: number) => void {
  const seen = new Set<string>();
  return (def, value, tags, timeMs) => {
    if (!seen.has(def.name)) {
      seen.add(def.name);
      stream.write(`${JSON.stringify({ type: 'Metric', metric: def.name, data: { name: def.name, type: def.type, contains: def.isTime ? 'time' : 'default' } })}\n`);
    }
    stream.write(`${JSON.stringify({ type: 'Point', metric: def.name, data: { time: new Date(timeMs).toISOString(), value, tags } })}\n`);
  };
}

/** k6's REST API subset: GET /v1/status, PATCH /v1/status {data: {attributes: {vus, stopped}}}. */
function controlRoutes(state: { control: VuControl | undefined; progress: RunProgress | undefined; stop: () => void }) {
  const status = (): unknown => ({
    data: {
      type: 'status',
      id: 'default',
      attributes: {
        status: state.progress === undefined ? 'setup' : 'running',
        paused: false,
        vus: state.control?.vus() ?? state.progress?.vus ?? 0,
        'vus-max': state.control?.maxVUs ?? state.progress?.vusMax ?? 0,
        stopped: false,
        running: true,
        tainted: false,
      },
    },
  });
  const send = (response: http.ServerResponse, code: number, body: unknown): void => {
    response.writeHead(code, { 'content-type': code < 300 ? 'application/json' : 'application/problem+json' }).end(`${JSON.stringify(body)}\n`);
  };
  return (request: http.IncomingMessage, response: http.ServerResponse): boolean => {
    if (request.url !== '/v1/status') return false;
    if (request.method === 'GET') {
      send(response, 200, status());
      return true;
    }
    if (request.method !== 'PATCH') {
      send(response, 405, { title: 'method not allowed', detail: 'GET or PATCH /v1/status' });
      return true;
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(text) as { data?: { attributes?: { vus?: unknown; stopped?: unknown } } };
        const attributes = body.data?.attributes ?? {};
        if (attributes.stopped === true) state.stop();
        if (attributes.vus !== undefined) {
          if (state.control === undefined) {
            send(response, 409, { title: 'no externally-controlled scenario is running', detail: 'vus can be changed only in an externally-controlled scenario' });
            return;
          }
          state.control.setVus(attributes.vus as number);
        }
        send(response, 200, status());
      } catch (error) {
        send(response, 400, { title: 'bad request', detail: error instanceof Error ? error.message : String(error) });
      }
    });
    return true;
  };
}

/** Runs the command; returns the exit code (k6's). */
export async function runCommand(command: RunCommand): Promise<{ exitCode: number; result: ScriptRunResult; reportDir: string | undefined }> {
  const { log } = command;
  // A script that does not type-check stops here, before anything is started.
  const compiled = compileScript(command.script);
  const found = await openNetwork();
  let tier: OwnServiceTier | undefined;
  let server: MetricsServer | undefined;
  let out: WriteStream | undefined;
  const progress = new ProgressMetrics();
  const stopper = new AbortController();
  const onOuterAbort = (): void => {
    stopper.abort();
  };
  command.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const state: { control: VuControl | undefined; progress: RunProgress | undefined; stop: () => void } = {
    control: undefined,
    progress: undefined,
    stop: () => {
      stopper.abort();
    },
  };
  try {
    let network: ScriptNetwork | undefined;
    if (!('why' in found)) {
      const { layout, network: native } = found;
      if (!command.noService) {
        log('starting the retail service tier (service instances and nginx)');
        tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
      }
      network = { topology: native.topology, layout, tokens: new TokenIssuer(layout), baseUrl: tier?.url };
    } else {
      log(`no network: ${found.why}; the script runs without the network and fabric modules (npm run network -- up brings it up)`);
    }
    const address = command.address ?? (network === undefined ? DEFAULT_CONTROL_ADDRESS : monitoring(network.topology).harness.endpoint);
    server = await serveMetrics(progress.registry, address, controlRoutes(state));
    log(`progress metrics at ${server.url}; control API at http://${address}/v1/status`);
    if (command.outJson !== undefined) {
      await mkdir(path.dirname(path.resolve(command.outJson)), { recursive: true });
      out = createWriteStream(command.outJson);
    }
    const toJson = out === undefined ? undefined : jsonOutput(out);
    const toProgress = progressSink(progress);
    const reportProgress = progressReporter(progress, log);
    const startedAt = new Date();
    const result = await runScript(compiled, {
      env: command.env,
      overrides: command.overrides,
      ...(network !== undefined && { network }),
      signal: stopper.signal,
      log,
      sink: (def, value, tags, timeMs) => {
        toJson?.(def, value, tags, timeMs);
        toProgress(def, value, tags, timeMs);
      },
      onProgress: (p) => {
        state.progress = p;
        reportProgress(p);
      },
      onControl: (_scenario, control) => {
        state.control = control;
      },
    });
    await new Promise<void>((resolve) => {
      if (out === undefined) resolve();
      else out.end(resolve);
    });

    // The end-of-test summary: handleSummary's outputs, or the text summary.
    if (result.handleSummary === undefined) process.stdout.write(`\n${textSummary(result.data, { enableColors: process.stdout.isTTY })}\n`);
    else {
      for (const [key, text] of Object.entries(result.handleSummary)) {
        if (key === 'stdout') process.stdout.write(text);
        else if (key === 'stderr') process.stderr.write(text);
        else {
          await mkdir(path.dirname(path.resolve(key)), { recursive: true });
          await writeFile(key, text);
        }
      }
    }
    if (command.summaryExport !== undefined) {
      await mkdir(path.dirname(path.resolve(command.summaryExport)), { recursive: true });
      await writeFile(command.summaryExport, `${JSON.stringify(result.data, null, 2)}\n`);
    }
    if (result.abortReason !== undefined) log(`the run was stopped early: ${result.abortReason}`);

    let reportDir: string | undefined;
    if (command.reportsDir !== null) {
      const sha = commit();
      const script = path.relative(repoRoot, path.resolve(command.script));
      const name = path.basename(command.script).replace(/\.ts$/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
      const base = path.join(command.reportsDir, reportDirName({ startedAt: startedAt.toISOString(), name: `run-${name}`, commit: sha }));
      // Two runs in one minute: the second gets -2 (a report is never overwritten).
      reportDir = base;
      for (let n = 2; existsSync(reportDir); n++) reportDir = `${base}-${n}`;
      const report: RunReport = {
        schemaVersion: 1,
        kind: 'script-run',
        script: script.startsWith('..') ? path.resolve(command.script) : script,
        startedAt: new Date(result.startedMs).toISOString(),
        endedAt: new Date(result.endedMs).toISOString(),
        commit: sha,
        machine: machine(),
        engine: scriptEngine(),
        exitCode: result.exitCode,
        abortReason: result.abortReason ?? null,
        options: optionsOf(result),
        command: { env: Object.keys(command.env), overrides: command.overrides },
        thresholds: result.thresholds,
        summary: result.data,
      };
      await writeRunReport(reportDir, report, rawSamples(result));
      log(`report: ${path.relative(process.cwd(), reportDir)}/run.html`);
    }
    return { exitCode: result.exitCode, result, reportDir };
  } finally {
    command.signal?.removeEventListener('abort', onOuterAbort);
    await server?.close();
    await tier?.stop();
  }
}

function optionsOf(result: ScriptRunResult): unknown {
  return {
    scenarios: Object.fromEntries(result.scenarios.map((s) => [s.name, s.source])),
    thresholds: Object.fromEntries(Object.entries(result.thresholds).map(([key, r]) => [key, r.conditions.map((c) => c.condition)])),
  };
}

export { EXIT };
