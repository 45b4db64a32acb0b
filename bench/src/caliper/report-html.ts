/** One row of the summary table of Caliper's report.html. */
export interface CaliperRoundSummary {
  readonly name: string;
  readonly succ: number;
  readonly fail: number;
  readonly sendRateTps: number;
  /** null where Caliper prints '-' (no successful transaction). */
  readonly maxLatencyS: number | null;
  readonly minLatencyS: number | null;
  readonly avgLatencyS: number | null;
  readonly throughputTps: number;
}

export class CaliperReportError extends Error {
  override readonly name = 'CaliperReportError';
}

const COLUMNS = ['Name', 'Succ', 'Fail', 'Send Rate (TPS)', 'Max Latency (s)', 'Min Latency (s)', 'Avg Latency (s)', 'Throughput (TPS)'];

const cells = (row: string, tag: 'th' | 'td'): string[] =>
  [...row.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => decode((m[1] ?? '').trim()));

function decode(text: string): string {
  return text.replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function number(text: string, what: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new CaliperReportError(`${what}: "${text}" is not a number`);
  return value;
}

/** The "Summary of performance metrics" table of a Caliper 0.6 report.html, one entry per round. */
export function parseCaliperReport(html: string): CaliperRoundSummary[] {
  const start = html.indexOf('id="benchmarksummary"');
  if (start < 0) throw new CaliperReportError('report.html has no benchmark summary');
  const table = /<table[\s\S]*?<\/table>/.exec(html.slice(start))?.[0];
  if (!table) throw new CaliperReportError('the benchmark summary has no table');
  const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1] ?? '');
  const head = rows.map((r) => cells(r, 'th')).find((h) => h.length > 0);
  if (!head || head.join('|') !== COLUMNS.join('|')) throw new CaliperReportError(`unexpected summary columns: ${head?.join(', ') ?? 'none'}`);
  return rows
    .map((r) => cells(r, 'td'))
    .filter((c) => c.length === COLUMNS.length)
    .map((c) => {
      const [name = '', succ = '', fail = '', send = '', max = '', min = '', avg = '', tput = ''] = c;
      const latency = (text: string, what: string): number | null => (text === '-' ? null : number(text, `${name} ${what}`));
      return {
        name,
        succ: number(succ, `${name} Succ`),
        fail: number(fail, `${name} Fail`),
        sendRateTps: number(send, `${name} Send Rate`),
        maxLatencyS: latency(max, 'Max Latency'),
        minLatencyS: latency(min, 'Min Latency'),
        avgLatencyS: latency(avg, 'Avg Latency'),
        throughputTps: number(tput, `${name} Throughput`),
      };
    });
}
