/** Where a report's raw/ keeps what its figures are derived from: one name for the writer and for `render`. */
import type { Engine } from './schema';

/** A scenario runner test's per-request records (gzipped JSON lines, request-records.ts). */
export function requestsFile(scenario: string, engine: Engine): string {
  return `requests/${scenario}-${engine}.jsonl.gz`;
}

/** The transactions of a measured window as the blocks hold them (chain-count.ts; block-records.ts). */
export function blocksFile(scenario: string, engine: Engine): string {
  return `blocks-${scenario}-${engine}.json.gz`;
}

/** Caliper's workload records, one file per worker and round (caliper/records.ts). */
export const CALIPER_RECORDS_DIR = 'caliper/records';
