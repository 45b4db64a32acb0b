import { parseDuration } from '../../scenario/duration';
import { ThresholdSyntaxError } from '../../scenario/errors';
import {
  compare,
  conditionMessage,
  parseConditionOf,
  splitThresholdKey,
  type ThresholdCondition,
  type ThresholdResult,
} from '../../scenario/thresholds';
import type { ThresholdObject, ThresholdSpec } from '../api/options';
import { aggregateSeries, aggregateValue, type MetricStore } from './metrics';

export interface ScriptCondition extends ThresholdCondition {
  readonly abortOnFail: boolean;
  /** No abort before this much of the run, ms. */
  readonly delayAbortEvalMs: number;
}

export interface ScriptThreshold {
  readonly key: string;
  readonly metric: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly conditions: readonly ScriptCondition[];
}

/**
 * Parses a script's thresholds, strings or k6's object form, against the metrics the store knows
 * once the script was loaded (its custom metrics included).
 */
export function parseScriptThresholds(thresholds: Readonly<Record<string, readonly ThresholdSpec[]>>, store: MetricStore): ScriptThreshold[] {
  return Object.entries(thresholds).map(([key, specs]) => {
    const { metric, tags } = splitThresholdKey(key);
    const def = store.def(metric);
    if (def === undefined) {
      const known = store.metrics().map((m) => m.name);
      throw new ThresholdSyntaxError(key, `unknown metric "${metric}" (built in or defined by the script: ${known.join(', ')})`);
    }
    // Options come from a script's untyped object: checked here, not trusted.
    const list: unknown = specs;
    if (!Array.isArray(list) || list.length === 0) throw new ThresholdSyntaxError(key, 'needs a list of one or more conditions');
    const conditions = (list as unknown[]).map((item): ScriptCondition => {
      if (typeof item === 'string') return { ...parseConditionOf(item, metric, def.type), abortOnFail: false, delayAbortEvalMs: 0 };
      const spec = item as Partial<ThresholdObject> | null;
      if (spec === null || typeof spec !== 'object' || typeof spec.threshold !== 'string') {
        throw new ThresholdSyntaxError(key, 'a condition is a string or { threshold, abortOnFail?, delayAbortEval? }');
      }
      const unknown = Object.keys(spec).filter((k) => !['threshold', 'abortOnFail', 'delayAbortEval'].includes(k));
      if (unknown.length > 0) throw new ThresholdSyntaxError(key, `unknown field ${unknown.join(', ')} (threshold, abortOnFail, delayAbortEval)`);
      return {
        ...parseConditionOf(spec.threshold, metric, def.type),
        abortOnFail: spec.abortOnFail === true,
        delayAbortEvalMs: spec.delayAbortEval === undefined ? 0 : parseDuration(spec.delayAbortEval, `threshold ${key}: delayAbortEval`),
      };
    });
    return { key, metric, tags, conditions };
  });
}

/** Each threshold's conditions measured over the store's samples; counters' rates per second of `seconds`. */
export function evaluateScriptThresholds(
  thresholds: readonly ScriptThreshold[],
  store: MetricStore,
  seconds: number,
): Record<string, ThresholdResult> {
  const results: Record<string, ThresholdResult> = {};
  for (const threshold of thresholds) {
    const def = store.def(threshold.metric);
    if (def === undefined) continue;
    const data = aggregateSeries(def.type, store.select(threshold.metric, threshold.tags), seconds);
    const conditions = threshold.conditions.map((c) => {
      const value = aggregateValue(data, c.aggregation);
      const ok = value !== null && compare(value, c.operator, c.value);
      return { condition: c.source, ok, value, message: conditionMessage(c.source, value, ok) };
    });
    results[threshold.key] = { ok: conditions.every((c) => c.ok), conditions };
  }
  return results;
}

/**
 * While the run goes on (every 2 s, as k6): the abortOnFail conditions that have failed, past their
 * delayAbortEval. A condition with no data yet has not failed.
 */
export function abortingConditions(
  thresholds: readonly ScriptThreshold[],
  store: MetricStore,
  elapsedMs: number,
): string[] {
  const failing: string[] = [];
  for (const threshold of thresholds) {
    const watched = threshold.conditions.filter((c) => c.abortOnFail && elapsedMs >= c.delayAbortEvalMs);
    if (watched.length === 0) continue;
    const def = store.def(threshold.metric);
    if (def === undefined) continue;
    const data = aggregateSeries(def.type, store.select(threshold.metric, threshold.tags), elapsedMs / 1000);
    for (const c of watched) {
      const value = aggregateValue(data, c.aggregation);
      if (value !== null && !compare(value, c.operator, c.value)) failing.push(`${threshold.key}: ${conditionMessage(c.source, value, false)}`);
    }
  }
  return failing;
}
