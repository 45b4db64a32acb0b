import type { Context } from 'fabric-contract-api';

import { ContractError } from '../errors';
import { stableStringify, type Json } from '../json';
import { readState } from '../state';
import type { HistoryEntry, OrderRecord } from './model';
import { REVIEW_MODES, type ReviewMode } from './lifecycle';

/*
 * Keys, all composite so that every query is a range query LevelDB answers:
 *   order            <id>                   the public order record
 *   order~party      <handle> <id>          one entry per party: the orders of a participant
 *   order-history    <id> <seq, 6 digits>   every state change, in order
 *   config           review-mode            where the exchange reviews new orders
 */

export function orderKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey('order', [id]);
}

export function partyIndexKey(ctx: Context, handle: string, id: string): string {
  return ctx.stub.createCompositeKey('order~party', [handle, id]);
}

export function historyKey(ctx: Context, id: string, seq: number): string {
  return ctx.stub.createCompositeKey('order-history', [id, String(seq).padStart(6, '0')]);
}

export async function findOrder(ctx: Context, id: string): Promise<OrderRecord | undefined> {
  const stored = await readState(ctx, orderKey(ctx, id));
  return stored === undefined ? undefined : (JSON.parse(stored) as OrderRecord);
}

export async function loadOrder(ctx: Context, id: string): Promise<OrderRecord> {
  const order = await findOrder(ctx, id);
  if (!order) throw new ContractError('NOT_FOUND', `order '${id}' does not exist`);
  return order;
}

export async function putJson(ctx: Context, key: string, value: Json): Promise<string> {
  const json = stableStringify(value);
  await ctx.stub.putState(key, Buffer.from(json, 'utf8'));
  return json;
}

/** Writes the order and appends its history entry: one step, one record, one line of history. */
export async function saveStep(ctx: Context, order: OrderRecord, entry: HistoryEntry): Promise<string> {
  await putJson(ctx, historyKey(ctx, order.id, entry.seq), entry);
  return putJson(ctx, orderKey(ctx, order.id), order);
}

export async function orderHistory(ctx: Context, id: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for await (const kv of ctx.stub.getStateByPartialCompositeKey('order-history', [id])) {
    entries.push(JSON.parse(Buffer.from(kv.value).toString('utf8')) as HistoryEntry);
  }
  return entries;
}

const REVIEW_MODE_KEY = (ctx: Context): string => ctx.stub.createCompositeKey('config', ['review-mode']);

/** The review mode new orders are declared under; the normal flow until the exchange changes it. */
export async function reviewMode(ctx: Context): Promise<ReviewMode> {
  const stored = await readState(ctx, REVIEW_MODE_KEY(ctx));
  const mode = REVIEW_MODES.find((m) => m === stored);
  return mode ?? 'after-confirmation';
}

export async function setReviewMode(ctx: Context, mode: ReviewMode): Promise<void> {
  await ctx.stub.putState(REVIEW_MODE_KEY(ctx), Buffer.from(mode, 'utf8'));
}

/** One page of the values under a partial composite key, for read-only (evaluate) transactions. */
export async function page(
  ctx: Context,
  objectType: string,
  attributes: string[],
  pageSize: number,
  bookmark: string,
): Promise<{ keys: string[]; values: string[]; bookmark: string }> {
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, attributes, pageSize, bookmark);
  const keys: string[] = [];
  const values: string[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      keys.push(next.value.key);
      values.push(Buffer.from(next.value.value).toString('utf8'));
    }
  } finally {
    await iterator.close();
  }
  return { keys, values, bookmark: metadata.bookmark };
}

/** One page of a participant's orders, through the order~party index. */
export async function ordersOfParty(ctx: Context, handle: string, pageSize: number, bookmark: string): Promise<{ orders: OrderRecord[]; bookmark: string }> {
  const index = await page(ctx, 'order~party', [handle], pageSize, bookmark);
  const orders: OrderRecord[] = [];
  for (const key of index.keys) {
    const id = ctx.stub.splitCompositeKey(key).attributes[1];
    const order = id === undefined ? undefined : await findOrder(ctx, id);
    if (order) orders.push(order);
  }
  return { orders, bookmark: index.bookmark };
}
