/*
 * A small client of Prometheus's HTTP API (/api/v1/query, /api/v1/query_range, /api/v1/targets):
 * what the benchmark reads its resource figures with, and what the tests check targets with.
 */

export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
}

/** One series of a range query: its labels and [unix seconds, value] points. */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, number])[];
}

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ScrapeTarget {
  readonly job: string;
  readonly node: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

export class PrometheusClient {
  constructor(readonly endpoint: string) {}

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `http://${this.endpoint}${path}?${new URLSearchParams(params).toString()}`;
    let body: ApiResponse<T>;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      body = (await response.json()) as ApiResponse<T>;
    } catch (error) {
      throw new PrometheusQueryError(`Prometheus at ${this.endpoint} did not answer ${path}`, { cause: error });
    }
    if (body.status !== 'success' || body.data === undefined) {
      throw new PrometheusQueryError(`${path} ${params.query ?? ''}: ${body.errorType ?? 'error'}: ${body.error ?? 'no data'}`);
    }
    return body.data;
  }

  async query(expr: string, atMs?: number): Promise<InstantSample[]> {
    const data = await this.get<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query', {
      query: expr,
      ...(atMs === undefined ? {} : { time: String(atMs / 1000) }),
    });
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(expr: string, fromMs: number, toMs: number, stepS: number): Promise<RangeSeries[]> {
    const data = await this.get<{ resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }>('/api/v1/query_range', {
      query: expr,
      start: String(fromMs / 1000),
      end: String(toMs / 1000),
      step: String(stepS),
    });
    return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as const) }));
  }

  async targets(): Promise<ScrapeTarget[]> {
    const data = await this.get<{ activeTargets: { labels: Record<string, string>; health: ScrapeTarget['health']; lastError: string }[] }>('/api/v1/targets', { state: 'active' });
    return data.activeTargets.map((t) => ({ job: t.labels.job ?? '', node: t.labels.node ?? '', health: t.health, lastError: t.lastError }));
  }

  /**
   * Resolves once every target of `jobs` (default: all) has been scraped successfully, or throws
   * after `timeoutMs`. Returns every active target.
   */
  async waitForTargets(jobs?: readonly string[], timeoutMs = 30_000): Promise<ScrapeTarget[]> {
    const deadline = Date.now() + timeoutMs;
    let targets: ScrapeTarget[] = [];
    while (Date.now() < deadline) {
      const all = await this.targets();
      targets = all.filter((t) => jobs === undefined || jobs.includes(t.job));
      if (targets.length > 0 && targets.every((t) => t.health === 'up')) return all;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const down = targets.filter((t) => t.health !== 'up').map((t) => `${t.node} (${t.job}): ${t.health} ${t.lastError}`);
    throw new PrometheusQueryError(`Prometheus targets not up after ${timeoutMs / 1000} s: ${down.join('; ') || 'no targets'}`);
  }
}
