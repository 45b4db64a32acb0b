import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';

import { ContractError } from '../errors';
import { authorize, handleOf, type Caller } from '../identity';
import { stableStringify, type Json } from '../json';
import { findParticipant } from '../participants/contract';
import { PackageTemplateContract } from '../templates/contract';
import { invalid, jsonFields } from '../validation';
import { authorizeViewer, operatorOf, partyOf } from './access';
import { REVIEW_MODES, transitionsFrom, type Action, type ReviewMode } from './lifecycle';
import {
  parseDeclaration,
  parseId,
  parseReason,
  parseTerms,
  sha256Hex,
  termsBytes,
  TERMS_COLLECTION,
  TRANSIENT_TERMS,
  type HistoryEntry,
  type OrderDeclaration,
  type OrderRecord,
  type TradeTerms,
} from './model';
import { findOrder, loadOrder, orderHistory, ordersOfParty, page, partyIndexKey, reviewMode, saveStep, setReviewMode } from './store';

const templates = new PackageTemplateContract();

/**
 * Trade declaration and the retail contract's lifecycle (PAPER.md §2, §5.2, §5.3, Table 1). Every
 * step checks the caller's role and party, then asks the transition table whether the step is
 * legal from the order's state; the step, its operator and its time go into the order's history.
 */
export class OrderContract extends Contract {
  constructor() {
    super('orders');
  }

  /**
   * A user declares a trade from a package with a retailer. The agreed quantity and prices come in
   * the transient field `terms` and go only into the parties' private collection; the public
   * record carries their hash. Replaying a declaration (same id, same content and terms) returns
   * the stored order without writing; other content under a taken id is a CONFLICT.
   */
  @Transaction()
  @Returns('string')
  async DeclareOrder(ctx: Context, orderJson: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['consumer'], 'declare orders');
    const declaration = parseDeclaration(orderJson);
    const terms = parseTerms(ctx.stub.getTransient().get(TRANSIENT_TERMS));
    const bytes = termsBytes(declaration.id, terms);
    const termsHash = sha256Hex(bytes);
    const buyer = { handle: handleOf(caller), mspId: caller.mspId };

    const existing = await findOrder(ctx, declaration.id);
    if (existing) {
      if (sameDeclaration(existing, declaration, buyer.handle, termsHash)) return stableStringify(existing);
      throw new ContractError('CONFLICT', `order '${declaration.id}' exists with other content`);
    }
    if (!(await findParticipant(ctx, buyer.handle))) {
      throw new ContractError('NOT_FOUND', `${buyer.handle} has not registered: register before declaring orders`);
    }
    const seller = await findParticipant(ctx, declaration.seller);
    if (seller?.role !== 'retailer') {
      throw new ContractError('NOT_FOUND', `seller ${declaration.seller} is not a registered retailer`);
    }
    const now = ctx.stub.getDateTimestamp().toISOString();
    const template = await readTemplate(ctx, declaration);
    if (template.validTo <= now.slice(0, 10)) {
      throw invalid('packageId', `package ${template.id} version ${template.version} expired on ${template.validTo}`);
    }

    const mode = await reviewMode(ctx);
    const [row] = transitionsFrom('declare', null, mode);
    if (!row) throw new ContractError('ILLEGAL_TRANSITION', `no declaration step under review mode ${mode}`);
    const order: OrderRecord = {
      ...row.to,
      id: declaration.id,
      packageId: template.id,
      packageVersion: template.version,
      content: declaration.content,
      buyer,
      buyerType: 'power-user',
      seller: { handle: seller.handle, mspId: seller.mspId },
      reviewMode: mode,
      operator: 'user',
      operatorId: buyer.handle,
      refreshTime: now,
      createdAt: now,
      termsHash,
      historyLength: 1,
    };
    await ctx.stub.putPrivateData(TERMS_COLLECTION, order.id, bytes);
    await ctx.stub.putState(partyIndexKey(ctx, buyer.handle, order.id), Buffer.from([0]));
    await ctx.stub.putState(partyIndexKey(ctx, seller.handle, order.id), Buffer.from([0]));
    return saveStep(ctx, order, history(ctx, order, 'declare', null, '', caller));
  }

  @Transaction()
  @Returns('string')
  async ConfirmOrder(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'confirm', id, '');
  }

  /** The exchange's review: approve (review at submission or after confirmation, by the order's mode). */
  @Transaction()
  @Returns('string')
  async ApproveOrder(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'approve', id, '');
  }

  @Transaction()
  @Returns('string')
  async RejectOrder(ctx: Context, id: string, reason: string): Promise<string> {
    return this.step(ctx, 'reject', id, reason);
  }

  @Transaction()
  @Returns('string')
  async SignOrder(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'sign', id, '');
  }

  /** The exchange puts a signed contract into execution, which it then supervises. */
  @Transaction()
  @Returns('string')
  async StartExecution(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'start-execution', id, '');
  }

  @Transaction()
  @Returns('string')
  async ExpireOrder(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'expire', id, '');
  }

  @Transaction()
  @Returns('string')
  async DisputeOrder(ctx: Context, id: string, reason: string): Promise<string> {
    return this.step(ctx, 'dispute', id, reason);
  }

  @Transaction()
  @Returns('string')
  async ResolveDispute(ctx: Context, id: string, reason: string): Promise<string> {
    return this.step(ctx, 'resolve', id, reason);
  }

  @Transaction()
  @Returns('string')
  async CancelOrder(ctx: Context, id: string, reason: string): Promise<string> {
    return this.step(ctx, 'cancel', id, reason);
  }

  @Transaction()
  @Returns('string')
  async DeleteOrder(ctx: Context, id: string): Promise<string> {
    return this.step(ctx, 'delete', id, '');
  }

  /**
   * The order as the caller may see it. Its parties get the agreed terms (read from their private
   * collection, so only on their own orgs' peers); the exchange's review view and the regulator's
   * view carry no quantity and no price (PAPER.md §5.2).
   */
  @Transaction(false)
  @Returns('string')
  async ReadOrder(ctx: Context, id: string): Promise<string> {
    const order = await loadOrder(ctx, parseId(id));
    const { party } = authorizeViewer(ctx, order, 'read orders');
    if (party === undefined) return stableStringify(order);
    return stableStringify({ ...order, terms: await readTerms(ctx, order.id) });
  }

  /** Every step of the order, oldest first: action, states, operator, time, transaction id. */
  @Transaction(false)
  @Returns('string')
  async GetOrderHistory(ctx: Context, id: string): Promise<string> {
    const order = await loadOrder(ctx, parseId(id));
    authorizeViewer(ctx, order, 'read order history');
    return stableStringify(await orderHistory(ctx, order.id));
  }

  /**
   * The orders of one participant, a page at a time (`pageSize` 1-100, `bookmark` from the previous
   * page or empty). A participant lists its own; the exchange and the regulator anyone's.
   */
  @Transaction(false)
  @Returns('string')
  async ListOrdersOfParticipant(ctx: Context, handle: string, pageSize: string, bookmark: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['consumer', 'retailer', 'exchange', 'regulator'], 'list orders');
    if ((caller.role === 'consumer' || caller.role === 'retailer') && handleOf(caller) !== handle) {
      throw new ContractError('FORBIDDEN_ROLE', `${handleOf(caller)} may list only its own orders`);
    }
    const { orders, bookmark: next } = await ordersOfParty(ctx, handle, parsePageSize(pageSize), bookmark);
    return stableStringify({ records: orders, bookmark: next, fetched: orders.length });
  }

  /**
   * Trade results once both parties agreed (PAPER.md §5.2): buyer, seller, buyer type, and for the
   * parties the traded quantity and prices. Parties export their own orders; the exchange and the
   * regulator export all orders, without quantity and price. `queryJson`: {pageSize?, bookmark?}.
   */
  @Transaction(false)
  @Returns('string')
  async ExportTradeResults(ctx: Context, queryJson: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['consumer', 'retailer', 'exchange', 'regulator'], 'export trade results');
    const fields = jsonFields(queryJson, 'queryJson');
    const pageSize = fields.has('pageSize') ? fields.integer('pageSize', 1, 100) : 20;
    const bookmark = fields.has('bookmark') ? fields.text('bookmark', 1000) : '';
    fields.end();
    const own = caller.role === 'consumer' || caller.role === 'retailer';
    const orders: OrderRecord[] = [];
    let next: string;
    if (own) {
      const mine = await ordersOfParty(ctx, handleOf(caller), pageSize, bookmark);
      next = mine.bookmark;
      orders.push(...mine.orders);
    } else {
      const all = await page(ctx, 'order', [], pageSize, bookmark);
      next = all.bookmark;
      orders.push(...all.values.map((v) => JSON.parse(v) as OrderRecord));
    }
    const rows: Json[] = [];
    for (const order of orders.filter(isAgreed)) {
      const row = {
        orderId: order.id,
        packageId: order.packageId,
        packageVersion: order.packageVersion,
        buyer: order.buyer.handle,
        buyerType: order.buyerType,
        seller: order.seller.handle,
        stage: order.stage,
        status: order.status,
        refreshTime: order.refreshTime,
      };
      if (own && partyOf(order, caller)) {
        const { quantityMWh, tradePrice, settlementPrice } = await readTerms(ctx, order.id);
        rows.push({ ...row, quantityMWh, tradePrice, settlementPrice });
      } else {
        rows.push(row);
      }
    }
    return stableStringify({ rows, bookmark: next, fetched: orders.length });
  }

  /**
   * Lets anyone, on any peer, check claimed terms (with their salt) against the hash on the public
   * ledger, without seeing the private data (PAPER.md §4: integrity in a dispute).
   */
  @Transaction(false)
  @Returns('string')
  async VerifyTradeTerms(ctx: Context, id: string, termsJson: string): Promise<string> {
    authorize(ctx.clientIdentity, ['consumer', 'retailer', 'exchange', 'regulator'], 'verify trade terms');
    const order = await loadOrder(ctx, parseId(id));
    const claimed = parseTerms(Buffer.from(termsJson, 'utf8'));
    const claimedHash = sha256Hex(termsBytes(order.id, claimed));
    const onChain = Buffer.from(await ctx.stub.getPrivateDataHash(TERMS_COLLECTION, order.id)).toString('hex');
    return stableStringify({ orderId: order.id, matches: claimedHash === onChain && onChain === order.termsHash, onChainHash: onChain });
  }

  /** Where the exchange reviews orders declared from now on (running orders keep their mode). */
  @Transaction()
  @Returns('string')
  async SetReviewMode(ctx: Context, mode: string): Promise<string> {
    authorize(ctx.clientIdentity, ['exchange'], 'configure the review step');
    const parsed = REVIEW_MODES.find((m) => m === mode);
    if (!parsed) throw invalid('mode', `must be one of ${REVIEW_MODES.join(', ')}`);
    await setReviewMode(ctx, parsed);
    return parsed;
  }

  @Transaction(false)
  @Returns('string')
  async GetReviewMode(ctx: Context): Promise<ReviewMode> {
    authorize(ctx.clientIdentity, ['consumer', 'retailer', 'exchange', 'regulator'], 'read the review mode');
    return reviewMode(ctx);
  }

  /** One step of the lifecycle, if the table allows it from the order's state to this caller. */
  private async step(ctx: Context, action: Action, id: string, reason: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['consumer', 'retailer', 'exchange'], `${action} orders`);
    const why = parseReason(reason);
    const order = await loadOrder(ctx, parseId(id));
    const rows = transitionsFrom(action, order, order.reviewMode);
    if (rows.length === 0) {
      throw new ContractError('ILLEGAL_TRANSITION', `order '${order.id}' is ${order.status} in ${order.stage}: it cannot ${action} now`);
    }
    const operator = operatorOf(caller.role);
    const row = rows.find((r) => r.by === operator);
    if (!row || operator === undefined) {
      const who = rows.map((r) => r.by).join(' or ');
      throw new ContractError('FORBIDDEN_ROLE', `only the ${who} may ${action} order '${order.id}' now, not a ${caller.role}`);
    }
    if (operator !== 'exchange' && partyOf(order, caller) !== operator) {
      throw new ContractError('FORBIDDEN_ROLE', `${handleOf(caller)} is not the ${operator} of order '${order.id}'`);
    }
    const updated: OrderRecord = {
      ...order,
      ...row.to,
      operator,
      operatorId: handleOf(caller),
      refreshTime: ctx.stub.getDateTimestamp().toISOString(),
      historyLength: order.historyLength + 1,
    };
    return saveStep(ctx, updated, history(ctx, updated, action, order, why, caller));
  }
}

function history(ctx: Context, order: OrderRecord, action: Action, before: OrderRecord | null, reason: string, caller: Caller): HistoryEntry {
  return {
    orderId: order.id,
    seq: order.historyLength,
    action,
    from: before && { stage: before.stage, status: before.status, nextOperator: before.nextOperator },
    to: { stage: order.stage, status: order.status, nextOperator: order.nextOperator },
    operator: order.operator,
    operatorId: handleOf(caller),
    reason,
    txId: ctx.stub.getTxID(),
    time: order.refreshTime,
  };
}

function sameDeclaration(order: OrderRecord, d: OrderDeclaration, buyer: string, termsHash: string): boolean {
  return (
    order.buyer.handle === buyer &&
    order.packageId === d.packageId &&
    (d.packageVersion === undefined || d.packageVersion === order.packageVersion) &&
    order.content === d.content &&
    order.seller.handle === d.seller &&
    order.termsHash === termsHash
  );
}

/** Both parties have agreed: the user confirmed and nothing ended the order since. */
function isAgreed(order: OrderRecord): boolean {
  if (order.stage === 'drafting') return false;
  if (order.stage === 'review' && order.status === 'submitted') return false;
  return !['rejected', 'cancelled', 'deleted'].includes(order.status);
}

async function readTerms(ctx: Context, id: string): Promise<TradeTerms> {
  const bytes = await ctx.stub.getPrivateData(TERMS_COLLECTION, id);
  if (bytes.length === 0) throw new ContractError('NOT_FOUND', `the terms of order '${id}' are not on this peer`);
  const { quantityMWh, tradePrice, settlementPrice, salt } = JSON.parse(Buffer.from(bytes).toString('utf8')) as TradeTerms;
  return { quantityMWh, tradePrice, settlementPrice, salt };
}

type TemplateRef = { id: string; version: number; validTo: string };

async function readTemplate(ctx: Context, d: OrderDeclaration): Promise<TemplateRef> {
  const json =
    d.packageVersion === undefined
      ? await templates.ReadPackageTemplate(ctx, d.packageId)
      : await templates.ReadPackageTemplateVersion(ctx, d.packageId, String(d.packageVersion));
  return JSON.parse(json) as TemplateRef;
}

function parsePageSize(pageSize: string): number {
  const size = Number(pageSize);
  if (!/^\d{1,3}$/.test(pageSize) || size < 1 || size > 100) throw invalid('pageSize', 'must be an integer from 1 to 100');
  return size;
}
