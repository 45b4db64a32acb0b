import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { parseProcessStat } from '../resources/interference';
import { startBurner } from '../testing/burner';
import { PROFILES } from './profiles';
import { EXIT_DISTURBED, runTable4 } from './run';


const ticksOf = (pid: number): number | undefined => {
  try {
    return parseProcessStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ticks;
  } catch {
    return undefined;
  }
};

void describe('interference: a quick run beside a CPU burner (live network)', { timeout: 600_000 }, () => {
  void it('is marked disturbed, names the burner and measures its share as /proc does', async () => {
    // It stops by itself after 240 s even if the test dies.
    const burning = startBurner(240);
    const burner = burning.pid;
    const samples: { t: number; ticks: number }[] = [];
    const timer = setInterval(() => {
      const ticks = ticksOf(burner);
      if (ticks !== undefined) samples.push({ t: Date.now(), ticks });
    }, 250);
    try {
      const ppid = parseProcessStat(burner, readFileSync(`/proc/${burner}/stat`, 'utf8'))?.ppid;
      assert.ok(ppid !== undefined && ppid !== process.pid, 'the burner must run, and not as a child of this process');
      const reports = await mkdtemp(join(tmpdir(), 'reports-'));
      const { report, exitCode } = await runTable4(PROFILES.quick, () => undefined, reports, { engines: ['http'] });
      assert.equal(report.disturbed, true, 'the run beside the burner is not marked disturbed');
      assert.equal(exitCode, EXIT_DISTURBED);
      for (const s of report.scenarios) {
        const i = s.interference;
        assert.ok(i, `${s.scenario}: no interference measured`);
        assert.equal(i.disturbed, true, `${s.scenario}: ${JSON.stringify({ ...i, series: i.series.length })}`);
        const named = i.foreign.find((f) => f.pid === burner);
        assert.ok(named, `${s.scenario}: the burner is not named among ${JSON.stringify(i.foreign)}`);
        // What /proc says of the burner over the same window, in % of the machine.
        const from = Date.parse(s.window.start);
        const to = Date.parse(s.window.end);
        const first = samples.find((p) => p.t >= from);
        const last = [...samples].reverse().find((p) => p.t <= to);
        assert.ok(first && last && last.t > first.t);
        const procPct = ((last.ticks - first.ticks) / 100 / ((last.t - first.t) / 1000) / availableParallelism()) * 100;
        assert.ok(Math.abs(named.cpuPct - procPct) <= 3, `${s.scenario}: the report says the burner took ${named.cpuPct} %, /proc ${procPct.toFixed(2)} %`);
        // Never counted as ours: what the report calls the chain and the load generator excludes it.
        assert.ok(i.otherPct.avg >= named.cpuPct - 3, `${s.scenario}: other ${i.otherPct.avg} % < the burner's ${named.cpuPct} %`);
      }
    } finally {
      clearInterval(timer);
      burning.stop();
    }
  });
});
