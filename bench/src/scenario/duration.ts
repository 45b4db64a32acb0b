import { ScenarioConfigError } from './errors';

/** A k6 duration: one or more `<number><unit>` with unit ms, s, m or h, e.g. '500ms', '30s', '1m30s', '10m'. */
export type Duration = string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** Milliseconds of a k6 duration; `what` names the option in the error. */
export function parseDuration(text: Duration, what: string): number {
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) break;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  if (text === '' || PART.lastIndex !== text.length || !Number.isFinite(total)) {
    throw new ScenarioConfigError(`${what}: "${text}" is not a duration such as '500ms', '30s', '1m30s' or '10m'`);
  }
  return total;
}
