import { createHash } from 'node:crypto';

import { stableStringify } from '../json';
import { jsonFields, parseId, ID, ID_RULE, invalid } from '../validation';
import { parseHandle } from '../participants/contract';
import type { Operator, OrderState, ReviewMode, Action } from './lifecycle';

/** The private data collection of the two parties (collections.json beside the chaincode). */
export const TERMS_COLLECTION = 'tradeTerms';
/** Transient field names: private values never travel in arguments, which every peer records. */
export const TRANSIENT_TERMS = 'terms';
export const TRANSIENT_CONTRACT_TEXT = 'contractText';
export const TRANSIENT_CIPHERTEXT = 'ciphertext';

/** One side of an order, as the ledger names it. */
export type Party = { readonly handle: string; readonly mspId: string };

/** What a user declares (PAPER.md §5.2): the package and its content, and the retailer. */
export type OrderDeclaration = {
  readonly id: string;
  readonly packageId: string;
  /** The template version traded; the latest at declaration when absent. */
  readonly packageVersion?: number;
  /** The package content the user fills in (delivery period, load profile, ...), free text. */
  readonly content: string;
  /** Handle of the retailer, e.g. `RetailerOrgMSP/retailer1`. */
  readonly seller: string;
};

/**
 * The agreed quantity and prices: private to the two parties. `salt` (client-chosen, at least 16
 * characters) keeps the public hash from being reversed by trying the few plausible prices.
 */
export type TradeTerms = {
  readonly quantityMWh: string;
  readonly tradePrice: string;
  readonly settlementPrice: string;
  readonly salt: string;
};

export type ContractText = {
  /** sha256 (hex) of the electronic contract text both parties submitted. */
  readonly hash: string;
  readonly submittedBy: readonly Operator[];
  readonly filed?: { readonly ciphertextSha256: string; readonly filedBy: string; readonly filedAt: string };
};

/** The public order record: what every peer holds. Quantity and prices are only its hash. */
export type OrderRecord = OrderState & {
  readonly id: string;
  readonly packageId: string;
  readonly packageVersion: number;
  readonly content: string;
  readonly buyer: Party;
  /** PAPER.md §5.2's buyer type: orders are declared by power users (电力用户). */
  readonly buyerType: 'power-user';
  readonly seller: Party;
  readonly reviewMode: ReviewMode;
  /** Table 1: the operator of the last step and who it was; refresh time is its transaction time. */
  readonly operator: Operator;
  readonly operatorId: string;
  readonly refreshTime: string;
  readonly createdAt: string;
  /** sha256 (hex) of the private terms record: what getPrivateDataHash returns for it. */
  readonly termsHash: string;
  readonly historyLength: number;
  readonly contractText?: ContractText;
};

/** One state change of an order, kept forever (PAPER.md §5.3b). */
export type HistoryEntry = {
  readonly orderId: string;
  readonly seq: number;
  readonly action: Action;
  readonly from: OrderState | null;
  readonly to: OrderState;
  readonly operator: Operator;
  readonly operatorId: string;
  readonly reason: string;
  readonly txId: string;
  readonly time: string;
};

export function parseDeclaration(json: string): OrderDeclaration {
  const fields = jsonFields(json, 'orderJson');
  const declaration: OrderDeclaration = {
    id: fields.matching('id', ID, ID_RULE),
    packageId: fields.matching('packageId', ID, ID_RULE),
    ...(fields.has('packageVersion') ? { packageVersion: fields.integer('packageVersion', 1, 999_999) } : {}),
    content: fields.text('content', 2000),
    seller: parseHandle(fields.text('seller', 200), 'seller'),
  };
  fields.end();
  return declaration;
}

/** The private terms from their transient bytes, or INVALID_ARGUMENT naming the field. */
export function parseTerms(bytes: Uint8Array | undefined): TradeTerms {
  if (bytes === undefined || bytes.length === 0) {
    throw invalid(`transient ${TRANSIENT_TERMS}`, 'is required: quantity and prices travel in the transient map');
  }
  const fields = jsonFields(Buffer.from(bytes).toString('utf8'), TRANSIENT_TERMS, `${TRANSIENT_TERMS}.`);
  const terms: TradeTerms = {
    quantityMWh: fields.quantity('quantityMWh'),
    tradePrice: fields.price('tradePrice'),
    settlementPrice: fields.price('settlementPrice'),
    salt: fields.text('salt', 128),
  };
  fields.end();
  if (terms.salt.length < 16) throw invalid(`${TRANSIENT_TERMS}.salt`, 'must have at least 16 characters');
  return terms;
}

/** The bytes stored in the collection for an order's terms: deterministic, so every endorser hashes alike. */
export function termsBytes(orderId: string, terms: TradeTerms): Buffer {
  return Buffer.from(stableStringify({ orderId, ...terms }), 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function parseReason(reason: string): string {
  if (reason.length > 500) throw invalid('reason', 'must have at most 500 characters');
  return reason;
}

export { parseId };
