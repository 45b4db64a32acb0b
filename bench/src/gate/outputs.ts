import { hostname } from 'node:os';

import { ledgerGrowth, type Measurement } from './baseline';
import { GATE_EXIT, type GateDecision, type FigureResult } from './decide';
import { FIGURES } from './figures';

/*
 * What a gate run leaves for a CI job: JUnit XML (one test case per figure and scenario, a failure
 * per regression, an error when the harness failed) and a markdown summary for the job's page.
 */

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const digits = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(4));

/** A change or band in the figure's terms: percent of the baseline, or percentage points. */
function relative(r: FigureResult, value: number, signed: boolean): string {
  const sign = signed && value > 0 ? '+' : '';
  return r.rule.absolute ? `${sign}${value.toFixed(2)} pp` : `${sign}${(value * 100).toFixed(1)} %`;
}

function caseName(r: FigureResult): string {
  return `${FIGURES[r.figure].label} (${FIGURES[r.figure].unit})`;
}

function describe(r: FigureResult): string {
  return (
    `baseline median ${digits(r.baseline.median)} (${digits(r.baseline.min)}–${digits(r.baseline.max)}, n=${r.baseline.values.length}), ` +
    `now ${digits(r.current.median)} (${digits(r.current.min)}–${digits(r.current.max)}, n=${r.current.values.length}): ` +
    `change ${relative(r, r.change, true)}, band ±${relative(r, r.band, false)} (noise ${relative(r, r.noise, false)})`
  );
}

export interface GateRunInfo {
  readonly baselinePath: string;
  readonly baseline?: Measurement | undefined;
  readonly current?: Measurement | undefined;
  readonly durationS: number;
}

export function junitXml(info: GateRunInfo, decision: GateDecision | undefined, error?: Error): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const time = info.durationS.toFixed(1);
  if (!decision) {
    const message = error ? `${error.name}: ${error.message}` : 'the gate did not decide';
    lines.push(
      `<testsuites name="bench gate" tests="1" failures="0" errors="1" time="${time}">`,
      `  <testsuite name="bench gate" tests="1" failures="0" errors="1" time="${time}" hostname="${escape(hostname())}">`,
      `    <testcase classname="bench.gate" name="measure and compare with ${escape(info.baselinePath)}" time="${time}">`,
      `      <error message="${escape(message.split('\n')[0] ?? message)}" type="${escape(error?.name ?? 'Error')}">${escape(message)}</error>`,
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
    );
    return `${lines.join('\n')}\n`;
  }
  const scenarios = [...new Set(decision.results.map((r) => r.scenario))];
  lines.push(`<testsuites name="bench gate" tests="${decision.results.length}" failures="${decision.regressions.length}" errors="0" time="${time}">`);
  for (const scenario of scenarios) {
    const results = decision.results.filter((r) => r.scenario === scenario);
    const failures = results.filter((r) => r.verdict === 'regression').length;
    lines.push(`  <testsuite name="${scenario}" tests="${results.length}" failures="${failures}" errors="0" hostname="${escape(hostname())}">`);
    lines.push('    <properties>');
    for (const [name, value] of [
      ['baseline', info.baselinePath],
      ['baseline.commit', info.baseline?.commit.sha ?? ''],
      ['commit', info.current?.commit.sha ?? ''],
      ['machine', info.current ? `${info.current.machine.cores} cores, ${info.current.machine.cpuModel}` : ''],
    ] as const) {
      lines.push(`      <property name="${name}" value="${escape(value)}"/>`);
    }
    lines.push('    </properties>');
    for (const r of results) {
      lines.push(`    <testcase classname="bench.gate.${scenario}" name="${escape(caseName(r))}">`);
      if (r.verdict === 'regression') {
        lines.push(`      <failure message="${escape(`${FIGURES[r.figure].label} regressed ${relative(r, r.change, true)}`)}" type="regression">${escape(describe(r))}</failure>`);
      } else {
        lines.push(`      <system-out>${escape(`${r.verdict}: ${describe(r)}`)}</system-out>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

const VERDICT_MARK = { regression: '❌ regression', improvement: '✅ improvement', 'within-noise': 'within noise' } as const;

function provenance(label: string, m: Measurement | undefined): string {
  if (!m) return `- ${label}: none`;
  return (
    `- ${label}: commit ${m.commit.sha.slice(0, 12)}${m.commit.dirty ? ' (uncommitted changes)' : ''}, recorded ${m.recordedAt}, ` +
    `${m.config.repeats} repeats of ${m.config.users} users × (${m.config.warmup} warm-up + ${m.config.duration}), ${m.runtime} runtime, ` +
    `${m.machine.cores} cores ${m.machine.cpuModel}, batch ${m.config.batch}` +
    (m.ledger ? `, ledger height ${m.ledger.heightAtStart}–${m.ledger.heightAtEnd}` : '') +
    (Object.keys(m.config.serviceSettings).length > 0 ? `, service settings ${JSON.stringify(m.config.serviceSettings)}` : '')
  );
}

export function markdownSummary(info: GateRunInfo, decision: GateDecision | undefined, error?: Error): string {
  const status = !decision
    ? 'ERROR (exit 2)'
    : decision.exitCode === GATE_EXIT.pass
      ? 'PASS (exit 0)'
      : `FAIL (exit 1): ${decision.regressions.length} regression${decision.regressions.length === 1 ? '' : 's'}`;
  const lines = [`## bench gate: ${status}`, '', provenance('Baseline', info.baseline), provenance('Now', info.current), `- Took ${info.durationS.toFixed(0)} s`, ''];
  const growth = info.baseline && info.current ? ledgerGrowth(info.baseline, info.current) : undefined;
  if (growth !== undefined) lines.push(`> ⚠️ Not like for like: ${growth}.`, '');
  if (!decision) {
    lines.push('```', error ? `${error.name}: ${error.message}` : 'the gate did not decide', '```', '');
    return lines.join('\n');
  }
  lines.push('| scenario | figure | baseline median (min–max) | now median (min–max) | change | band (noise) | verdict |', '|---|---|---|---|---|---|---|');
  for (const r of decision.results) {
    lines.push(
      `| ${r.scenario} | ${caseName(r)} | ${digits(r.baseline.median)} (${digits(r.baseline.min)}–${digits(r.baseline.max)}) | ${digits(r.current.median)} (${digits(r.current.min)}–${digits(r.current.max)}) | ` +
        `${relative(r, r.change, true)} | ±${relative(r, r.band, false)} (${relative(r, r.noise, false)}) | ${VERDICT_MARK[r.verdict]} |`,
    );
  }
  lines.push(
    '',
    'A change is a regression only when it is worse than both the figure\'s minimum change and k standard errors of the difference of the two medians (robust spread: 1.4826 × MAD of the repeats); see bench/src/gate/statistics.ts.',
    '',
  );
  return lines.join('\n');
}
