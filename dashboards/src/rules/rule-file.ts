import { stringify } from 'yaml';

/*
 * The shape of a Prometheus rule file, typed, so a misspelt field fails to compile instead of
 * being ignored by Prometheus; and the one way the files are written.
 */

/** A series Prometheus computes ahead of time under a name of its own. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** critical: the network cannot order or commit. warning: a benchmark round's figures are disturbed. */
export type Severity = 'critical' | 'warning';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires; fires at once without it. */
  readonly for?: string;
  readonly labels: { readonly severity: Severity };
  /** Go templates over the firing series: `{{ $labels.channel }}`, `{{ $value }}`. */
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup<Rule extends RecordingRule | AlertRule> {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly Rule[];
}

/** A rule file's text: a header naming the module it comes from, then the groups. */
export function ruleFileText(module: string, groups: readonly RuleGroup<RecordingRule | AlertRule>[]): string {
  const header = `# Generated from dashboards/src/rules/${module}.ts: \`npm run dashboards -- generate\`. Do not edit.\n`;
  return header + stringify({ groups }, { lineWidth: 0 });
}
