import type { NativeContext } from '../runtime/native/specs';
import { orderers, type ChannelSpec, type OrdererInfo } from '../topology';
import { applyConfigUpdate, ChannelConfigError, fetchChannelConfig, type ChannelNode, type ConfigJson } from './config';

/** The orderer's block cutting settings, spelt as in the model (`channel.batch`) and in configtx.yaml. */
export type BatchSettings = ChannelSpec['batch'];

/** A batch setting is malformed or the settings contradict each other; nothing was sent. */
export class BatchSettingsError extends Error {
  override readonly name = 'BatchSettingsError';
  constructor(
    readonly field: keyof BatchSettings,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const NANOS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Nanoseconds of a Go duration ("250ms", "1m30s", "1.5s"), as the orderer's time.ParseDuration reads it; undefined if malformed. */
export function durationNanos(text: string): number | undefined {
  if (text === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    const unit = match?.[2];
    if (!match || unit === undefined) return undefined;
    total += Number(match[1]) * (NANOS[unit] ?? Number.NaN);
  }
  return total;
}

const UINT32_MAX = 2 ** 32 - 1;
const UNITS = [
  ['GB', 2 ** 30],
  ['MB', 2 ** 20],
  ['KB', 2 ** 10],
] as const;

/** Bytes of a size such as "99 MB", "512KB", "512k" or "1048576": configtxgen's reading (powers of 1024). */
export function byteSize(text: string): number | undefined {
  const match = /^(\d+)\s*(?:([kmg])b?|b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const power = { k: 1, m: 2, g: 3 }[match[2]?.toLowerCase() ?? ''] ?? 0;
  return Number(match[1]) * 1024 ** power;
}

/** The model's spelling of a byte count: the largest unit that divides it ("99 MB", "512 KB"). */
export function formatByteSize(bytes: number): string {
  const unit = UNITS.find(([, size]) => bytes > 0 && bytes % size === 0);
  return unit ? `${bytes / unit[1]} ${unit[0]}` : String(bytes);
}

function checkTimeout(timeout: string): void {
  const nanos = durationNanos(timeout);
  if (nanos === undefined) throw new BatchSettingsError('timeout', `"${timeout}" is not a duration (e.g. 250ms, 2s)`);
  if (nanos <= 0) throw new BatchSettingsError('timeout', `must be positive, got ${timeout}`);
}

function checkBytes(field: 'absoluteMaxBytes' | 'preferredMaxBytes', text: string): number {
  const bytes = byteSize(text);
  if (bytes === undefined) throw new BatchSettingsError(field, `"${text}" is not a size (e.g. 512 KB, 99 MB)`);
  if (bytes < 1 || bytes > UINT32_MAX) throw new BatchSettingsError(field, `must be from 1 byte to 4 GB - 1, got ${text}`);
  return bytes;
}

/** Checks each given setting on its own, and preferred against absolute when both are given. */
export function checkBatchChanges(changes: Partial<BatchSettings>): void {
  if (changes.timeout !== undefined) checkTimeout(changes.timeout);
  const count = changes.maxMessageCount;
  if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= UINT32_MAX)) {
    throw new BatchSettingsError('maxMessageCount', `must be an integer of at least 1, got ${String(count)}`);
  }
  const absolute = changes.absoluteMaxBytes === undefined ? undefined : checkBytes('absoluteMaxBytes', changes.absoluteMaxBytes);
  const preferred = changes.preferredMaxBytes === undefined ? undefined : checkBytes('preferredMaxBytes', changes.preferredMaxBytes);
  if (absolute !== undefined && preferred !== undefined && preferred > absolute) {
    throw new BatchSettingsError('preferredMaxBytes', `${changes.preferredMaxBytes ?? ''} exceeds absoluteMaxBytes ${changes.absoluteMaxBytes ?? ''}`);
  }
}

/** Whether two settings mean the same to the orderer ("2s" and "2000ms", "512 KB" and "512KB" do). */
export function sameBatchSettings(a: BatchSettings, b: BatchSettings): boolean {
  return (
    durationNanos(a.timeout) === durationNanos(b.timeout) &&
    a.maxMessageCount === b.maxMessageCount &&
    byteSize(a.absoluteMaxBytes) === byteSize(b.absoluteMaxBytes) &&
    byteSize(a.preferredMaxBytes) === byteSize(b.preferredMaxBytes)
  );
}

interface OrdererValues {
  BatchSize?: { value?: { max_message_count?: number; absolute_max_bytes?: number; preferred_max_bytes?: number } };
  BatchTimeout?: { value?: { timeout?: string } };
}

function ordererValues(config: ConfigJson): OrdererValues {
  const group = config['channel_group'] as { groups?: { Orderer?: { values?: OrdererValues } } } | undefined;
  const values = group?.groups?.Orderer?.values;
  if (!values?.BatchSize?.value || !values.BatchTimeout?.value) throw new ChannelConfigError('the channel config has no Orderer BatchSize or BatchTimeout');
  return values;
}

/** The batch settings of a channel config (configtxlator JSON). */
export function batchSettingsOf(config: ConfigJson): BatchSettings {
  const values = ordererValues(config);
  const size = values.BatchSize?.value ?? {};
  return {
    timeout: values.BatchTimeout?.value?.timeout ?? '',
    maxMessageCount: size.max_message_count ?? 0,
    absoluteMaxBytes: formatByteSize(size.absolute_max_bytes ?? 0),
    preferredMaxBytes: formatByteSize(size.preferred_max_bytes ?? 0),
  };
}

/**
 * A copy of `config` with the batch settings merged with `changes`; nothing else differs. Rejects
 * changes that are malformed or leave the settings contradicting each other.
 */
export function withBatchChanges(config: ConfigJson, changes: Partial<BatchSettings>): ConfigJson {
  checkBatchChanges(changes);
  const merged = { ...batchSettingsOf(config), ...changes };
  checkBatchChanges(merged);
  const updated = structuredClone(config);
  const values = ordererValues(updated);
  if (values.BatchTimeout?.value) values.BatchTimeout.value.timeout = merged.timeout;
  if (values.BatchSize?.value) {
    values.BatchSize.value.max_message_count = merged.maxMessageCount;
    values.BatchSize.value.absolute_max_bytes = checkBytes('absoluteMaxBytes', merged.absoluteMaxBytes);
    values.BatchSize.value.preferred_max_bytes = checkBytes('preferredMaxBytes', merged.preferredMaxBytes);
  }
  return updated;
}

function firstOrderer(ctx: NativeContext): OrdererInfo {
  const [first] = orderers(ctx.topology);
  if (!first) throw new ChannelConfigError('the topology has no orderer');
  return first;
}

/** The channel's live batch settings, as `from` (by default the first orderer) holds them. */
export async function readBatchSettings(ctx: NativeContext, from: ChannelNode = firstOrderer(ctx)): Promise<BatchSettings> {
  return batchSettingsOf((await fetchChannelConfig(ctx, from)).config);
}

export interface BatchUpdate {
  readonly before: BatchSettings;
  /** As every orderer and peer holds them once the update is in. */
  readonly after: BatchSettings;
  /** The config block that carries the change; undefined when there was nothing to change. */
  readonly configBlock?: number;
  /** From fetching the current config to the last node showing the new one. */
  readonly elapsedMs: number;
}

/**
 * Changes the orderer's BatchTimeout and BatchSize values of the live channel, signed by the
 * orderer organisation's admin, and waits until every orderer and peer holds the new config.
 * Settings equal to the current ones send no transaction.
 */
export async function updateBatchSettings(
  ctx: NativeContext,
  changes: Partial<BatchSettings>,
  log: (line: string) => void,
  options: { timeoutMs?: number } = {},
): Promise<BatchUpdate> {
  checkBatchChanges(changes);
  const started = performance.now();
  const orderer = firstOrderer(ctx);
  const current = await fetchChannelConfig(ctx, orderer);
  const before = batchSettingsOf(current.config);
  const updated = withBatchChanges(current.config, changes);
  const wanted = batchSettingsOf(updated);
  if (sameBatchSettings(before, wanted)) {
    log(`${ctx.topology.channel.name}: the batch settings already are ${describeBatchSettings(before)}; nothing sent`);
    return { before, after: before, elapsedMs: performance.now() - started };
  }
  log(`${ctx.topology.channel.name}: last config block ${current.blockNumber}; updating through ${orderer.id} as the ${ctx.topology.ordererOrg.mspId} admin`);
  const { configBlock, nodes } = await applyConfigUpdate(ctx, current, updated, {
    orderer,
    holds: (config) => sameBatchSettings(batchSettingsOf(config), wanted),
    what: 'the new batch settings',
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  log(`${ctx.topology.channel.name}: config block ${configBlock} held by ${nodes} orderers and peers`);
  return { before, after: wanted, configBlock, elapsedMs: performance.now() - started };
}

export function describeBatchSettings(s: BatchSettings): string {
  return `timeout ${s.timeout}, max message count ${s.maxMessageCount}, absolute max bytes ${s.absoluteMaxBytes}, preferred max bytes ${s.preferredMaxBytes}`;
}
