/*
 * Just enough PromQL for checking dashboards against a live Prometheus: the metric names an
 * expression reads, and Grafana's variables expanded the way Grafana would before sending it.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'atan2', 'inf', 'nan']);

/** The metric names an expression selects (not functions, keywords, labels, strings or durations). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Grafana's built-in interval variables, for a panel over `rangeS` seconds at a scrape interval of `scrapeS`. */
export function builtInIntervals(scrapeS: number, rangeS: number): Record<string, string> {
  // $__interval: about one point a pixel, here one scrape; $__rate_interval: max(interval + scrape, 4 scrapes).
  const interval = scrapeS;
  return {
    __rate_interval: `${Math.max(interval + scrapeS, 4 * scrapeS)}s`,
    __interval: `${interval}s`,
    __range: `${rangeS}s`,
  };
}

/** `expr` with each `$name` and `${name}` replaced by its value; throws on a variable it has no value for. */
export function expandVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`${whole} in "${expr}" has no value`);
    return value;
  });
}

/** A Grafana `label_values(selector, label)` variable query, parsed. */
export interface LabelValuesQuery {
  readonly selector: string;
  readonly label: string;
}

export function parseLabelValues(query: string): LabelValuesQuery {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$/s.exec(query);
  if (match?.[1] === undefined || match[2] === undefined) throw new Error(`not a label_values(selector, label) query: ${query}`);
  return { selector: match[1], label: match[2] };
}
