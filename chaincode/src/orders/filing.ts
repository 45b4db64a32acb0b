import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';

import { ContractError } from '../errors';
import { authorize, handleOf } from '../identity';
import { stableStringify } from '../json';
import { readState } from '../state';
import { invalid } from '../validation';
import { authorizeViewer, partyOf } from './access';
import { parseId, sha256Hex, TRANSIENT_CIPHERTEXT, TRANSIENT_CONTRACT_TEXT, type ContractText, type OrderRecord } from './model';
import { loadOrder, orderKey, putJson } from './store';

const MAX_TEXT_BYTES = 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function textKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey('contract-text', [id]);
}

/** The contract exists once both parties confirmed and the review passed; until it is cancelled. */
function hasContract(order: OrderRecord): boolean {
  return ['signing', 'execution', 'frozen'].includes(order.stage) && !['cancelled', 'deleted'].includes(order.status);
}

function transient(ctx: Context, name: string): Buffer {
  const bytes = ctx.stub.getTransient().get(name);
  if (bytes === undefined || bytes.length === 0) throw invalid(`transient ${name}`, 'is required');
  if (bytes.length > 2 * MAX_TEXT_BYTES) throw invalid(`transient ${name}`, `must be at most ${2 * MAX_TEXT_BYTES} bytes`);
  return Buffer.from(bytes);
}

/**
 * On-chain filing of the electronic contract text (PAPER.md §5.3c). The retailer and the user each
 * submit the text (transient `contractText`); the chaincode keeps its hash and checks both
 * submitted the same text. Then the exchange, and no other org, files the text it encrypted
 * (transient `ciphertext`, base64) on the ledger.
 */
export class FilingContract extends Contract {
  constructor() {
    super('filing');
  }

  @Transaction()
  @Returns('string')
  async SubmitContractText(ctx: Context, id: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['consumer', 'retailer'], 'submit contract text');
    const order = await loadOrder(ctx, parseId(id));
    const party = partyOf(order, caller);
    if (party === undefined) throw new ContractError('FORBIDDEN_ROLE', `${handleOf(caller)} is not a party to order '${order.id}'`);
    if (!hasContract(order)) {
      throw new ContractError('ILLEGAL_TRANSITION', `order '${order.id}' is ${order.status} in ${order.stage}: it has no contract to submit`);
    }
    const text = transient(ctx, TRANSIENT_CONTRACT_TEXT);
    if (text.length > MAX_TEXT_BYTES) throw invalid(`transient ${TRANSIENT_CONTRACT_TEXT}`, `must be at most ${MAX_TEXT_BYTES} bytes`);
    const hash = sha256Hex(text);
    const current = order.contractText;
    if (current && current.hash !== hash) {
      throw new ContractError('CONFLICT', `the contract text of order '${order.id}' differs from the text already submitted (sha256 ${current.hash})`);
    }
    if (current?.submittedBy.includes(party)) return stableStringify(current);
    const contractText: ContractText = { ...current, hash, submittedBy: [...(current?.submittedBy ?? []), party].sort() };
    await putJson(ctx, orderKey(ctx, order.id), { ...order, contractText });
    return stableStringify(contractText);
  }

  @Transaction()
  @Returns('string')
  async FileContractText(ctx: Context, id: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ['exchange'], 'file contract text');
    const order = await loadOrder(ctx, parseId(id));
    const current = order.contractText;
    if (!current || !current.submittedBy.includes('user') || !current.submittedBy.includes('retailer')) {
      throw new ContractError('ILLEGAL_TRANSITION', `both parties must submit the contract text of order '${order.id}' before it is filed`);
    }
    const ciphertext = transient(ctx, TRANSIENT_CIPHERTEXT).toString('utf8');
    if (!BASE64.test(ciphertext)) throw invalid(`transient ${TRANSIENT_CIPHERTEXT}`, 'must be base64');
    const digest = sha256Hex(Buffer.from(ciphertext, 'utf8'));
    if (current.filed) {
      if (current.filed.ciphertextSha256 === digest) return stableStringify(current);
      throw new ContractError('CONFLICT', `the contract text of order '${order.id}' is filed already`);
    }
    const contractText: ContractText = {
      ...current,
      // The order record keeps the ciphertext's digest; the ciphertext itself has its own key.
      filed: { ciphertextSha256: digest, filedBy: handleOf(caller), filedAt: ctx.stub.getDateTimestamp().toISOString() },
    };
    await ctx.stub.putState(textKey(ctx, order.id), Buffer.from(ciphertext, 'utf8'));
    await putJson(ctx, orderKey(ctx, order.id), { ...order, contractText });
    return stableStringify(contractText);
  }

  /** The filing record and, once filed, the encrypted text: for the parties, the exchange and the regulator. */
  @Transaction(false)
  @Returns('string')
  async ReadContractFiling(ctx: Context, id: string): Promise<string> {
    const order = await loadOrder(ctx, parseId(id));
    authorizeViewer(ctx, order, 'read contract filings');
    if (!order.contractText) throw new ContractError('NOT_FOUND', `no contract text was submitted for order '${order.id}'`);
    const ciphertext = (await readState(ctx, textKey(ctx, order.id))) ?? null;
    return stableStringify({ ...order.contractText, ciphertext });
  }
}
