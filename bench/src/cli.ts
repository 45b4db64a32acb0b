#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { PROFILES, type Profile } from './table4/profiles';
import { runTable4 } from './table4/run';

const usage = `usage: bench table4 [--profile paper|quick]

  Reproduces PAPER.md Table 4 on the running native network (npm run network -- up): add order and
  order query, closed loop, through nginx and the retail service; writes reports/<date>_table4-<profile>_<sha>/.
  Exit code 0 when the paper's figures are met, 99 when a threshold failed (as k6), 1 on error.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string', default: 'paper' } } });
  if (positionals[0] !== 'table4') {
    process.stdout.write(`${usage}\n`);
    return positionals.length === 0 ? 0 : 2;
  }
  const profile = (PROFILES as Record<string, Profile | undefined>)[values.profile];
  if (!profile) throw new Error(`unknown profile ${values.profile} (${Object.keys(PROFILES).join(', ')})`);
  const started = Date.now();
  const result = await runTable4(profile, (line) => {
    process.stdout.write(`${line}\n`);
  });
  for (const p of result.report.paper) {
    process.stdout.write(
      `${p.scenario}: ${p.measured.throughputTxPerMin.toFixed(1)} tx/min (paper ${p.paper.throughputTxPerMin}), avg ${p.measured.avgLatencyS.toFixed(3)} s (paper ${p.paper.avgLatencyS}), ` +
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
