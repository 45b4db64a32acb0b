#!/usr/bin/env node
import { parseArgs } from 'node:util';

import type { Engine } from './report/schema';
import { PROFILES, type Profile } from './table4/profiles';
import { runTable4 } from './table4/run';

const usage = `usage: bench table4 [--profile paper|quick|tuned] [--engine http|caliper|both]

  Reproduces PAPER.md Table 4 on the running native network (npm run network -- up): add order and
  order query, closed loop of 30 users, with vegeta through nginx and the retail service (http) and
  with Caliper straight to Fabric (caliper); CPU and memory from Prometheus, started by the command.
  Writes reports/<date>_table4-<profile>_<sha>/.

  profiles: paper  30 users, 30 s warm-up + 10 min per test, Fabric's default batch settings
            quick  the same, 5 s + 20 s (CI and tests)
            tuned  measures the tuning ladder (each batch setting, 3 repeats), then runs the tests
                   with our best settings (the channel's are restored after)
  Exit code 0 when the paper's figures are met, 99 when a threshold failed (as k6), 1 on error.`;

const ENGINE_CHOICES: Readonly<Record<string, readonly Engine[]>> = { http: ['http'], caliper: ['caliper'], both: ['http', 'caliper'] };

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string', default: 'paper' }, engine: { type: 'string', default: 'both' } } });
  if (positionals[0] !== 'table4') {
    process.stdout.write(`${usage}\n`);
    return positionals.length === 0 ? 0 : 2;
  }
  const profile = (PROFILES as Record<string, Profile | undefined>)[values.profile];
  if (!profile) throw new Error(`unknown profile ${values.profile} (${Object.keys(PROFILES).join(', ')})`);
  const engines = ENGINE_CHOICES[values.engine];
  if (!engines) throw new Error(`unknown engine ${values.engine} (${Object.keys(ENGINE_CHOICES).join(', ')})`);
  const started = Date.now();
  const result = await runTable4(
    profile,
    (line) => {
      process.stdout.write(`${line}\n`);
    },
    undefined,
    { engines },
  );
  for (const p of result.report.paper) {
    process.stdout.write(
      `${p.scenario} (${p.engine}): ${p.measured.throughputTxPerMin.toFixed(1)} tx/min (paper ${p.paper.throughputTxPerMin}), avg ${p.measured.avgLatencyS.toFixed(3)} s (paper ${p.paper.avgLatencyS}), ` +
        `success ${p.measured.successRatePct.toFixed(2)} %, chain CPU ${p.measured.cpuAvgPct.toFixed(1)} %, memory ${p.measured.memAvgPct.toFixed(1)} %\n`,
    );
  }
  process.stdout.write(`report: ${result.dir}/report.html (${Math.round((Date.now() - started) / 1000)} s)\n`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
