import { durationNanos, type Topology } from '@energysale/network';

/*
 * What the recording and alert rules share: the windows they compute rates over (derived from the
 * topology's scrape interval, so a slower scrape widens them with it), and counting a counter's
 * recent events.
 */

/** Seconds of a Go-style duration from the model ("1s", "500ms"); throws on a malformed one, which would make every rule wrong. */
export function seconds(duration: string, what: string): number {
  const nanos = durationNanos(duration);
  if (nanos === undefined || nanos <= 0) throw new Error(`${what}: "${duration}" is not a duration such as '1s' or '500ms'`);
  return nanos / 1e9;
}

/** A Prometheus duration for a number of seconds: whole seconds when it is, milliseconds otherwise. */
export function promDuration(secondsValue: number): string {
  return Number.isInteger(secondsValue) ? `${secondsValue}s` : `${Math.round(secondsValue * 1000)}ms`;
}

/** How often Prometheus scrapes, and so how often the rule groups are worth evaluating. */
export function scrapeInterval(topology: Topology): string {
  return promDuration(seconds(topology.monitoring.scrapeInterval, 'monitoring.scrapeInterval'));
}

/**
 * The window of `rate` and of "for as long as": ten scrapes (10 s at the model's 1 s). `rate` needs
 * two samples in its window; ten keep a figure steady when a scrape is late or missed, yet a
 * benchmark round of 20 s still shows its ramp and its end.
 */
export function rateWindow(topology: Topology): string {
  return promDuration(10 * seconds(topology.monitoring.scrapeInterval, 'monitoring.scrapeInterval'));
}

/**
 * How far back "recently" reaches for the counters alerts watch (leader changes, endorsement
 * failures, failovers): a benchmark round lasts 20 s to 10 min, and a minute marks the rounds an
 * event disturbed without outliving them by much.
 */
export const RECENT = '1m';

/**
 * The events a counter counted in the last `window`, per series. Fabric and prom-client create a
 * labelled counter on its first event, with that event already counted, so `increase` alone never
 * sees the first one; a series that did not exist `window` ago counts all it holds. (So does every
 * series during a freshly started Prometheus's first `window`: a false alarm that ends on its own.)
 */
export function eventsIn(counter: string, window: string): string {
  return `(${counter} unless ${counter} offset ${window}) or increase(${counter}[${window}])`;
}
