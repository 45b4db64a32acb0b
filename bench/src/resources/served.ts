import { scrape } from '@energysale/network';
import { SERVICE_METRIC } from '@energysale/service';

/*
 * What the service tier answered, from its own counters: a benchmark step that claims to bypass the
 * service (the capacity sweep's gateway steps) can show that it did, and a step whose window the
 * previous step's requests ran into says so.
 */

/** The service's own routes: probes and scrapes are not load. */
const NOT_LOAD = /^\/(metrics|health)/;

/** Requests the service instances have answered since they started, /metrics and /health aside (the sum of their request counters). */
export async function answeredRequests(instances: readonly { readonly endpoint: string }[]): Promise<number> {
  const counts = await Promise.all(
    instances.map(async (instance) =>
      (await scrape(instance.endpoint))
        .filter((s) => s.name === SERVICE_METRIC.requests && !NOT_LOAD.test(s.labels.route ?? ''))
        .reduce((sum, s) => sum + s.value, 0),
    ),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
