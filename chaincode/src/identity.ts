import type { Context } from 'fabric-contract-api';
import { ContractError } from './errors';

/** Business roles, carried by the CA attribute `role` in the caller's enrollment certificate. */
export const ROLES = ['exchange', 'retailer', 'consumer', 'regulator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The organisation each role must come from. Any org's CA can write any `role` attribute into the
 * certificates it issues, so a role is believed only from the MSP that stands for it. The regulator
 * runs no peer: it is a client identity of the trading centre's CA (see the network topology).
 */
export const MSP_OF_ROLE: Readonly<Record<Role, string>> = {
  exchange: 'ExchangeOrgMSP',
  regulator: 'ExchangeOrgMSP',
  retailer: 'RetailerOrgMSP',
  consumer: 'ConsumerOrgMSP',
};

/** The identity behind a transaction, as recorded on the ledger. */
export type Caller = {
  readonly mspId: string;
  readonly role: Role;
  /** `x509::<subject DN>::<issuer DN>`, unique within the MSP. */
  readonly id: string;
};

type ClientIdentity = Pick<Context['clientIdentity'], 'getMSPID' | 'getAttributeValue' | 'getID'>;

/**
 * The caller, if their role is genuine and one of `allowed`; FORBIDDEN_ROLE otherwise. `action`
 * completes the sentence "role X may not ..." in the refusal.
 */
export function authorize(identity: ClientIdentity, allowed: readonly Role[], action: string): Caller {
  const mspId = identity.getMSPID();
  const role = identity.getAttributeValue('role');
  if (role === null) {
    throw new ContractError('FORBIDDEN_ROLE', `the caller from ${mspId} has no 'role' attribute`);
  }
  if (!isRole(role)) {
    throw new ContractError('FORBIDDEN_ROLE', `unknown role '${role}'`);
  }
  if (MSP_OF_ROLE[role] !== mspId) {
    throw new ContractError('FORBIDDEN_ROLE', `role '${role}' is not issued by ${mspId}`);
  }
  if (!allowed.includes(role)) {
    throw new ContractError('FORBIDDEN_ROLE', `role '${role}' may not ${action}`);
  }
  return { mspId, role, id: identity.getID() };
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * A participant's short, stable name: `<MSP id>/<common name>`, e.g. `RetailerOrgMSP/retailer1`.
 * A CA enrolls each name once, so within an MSP the common name identifies the person.
 */
export function handleOf(caller: Pick<Caller, 'mspId' | 'id'>): string {
  const subject = caller.id.split('::')[1] ?? '';
  const cn = /(?:^|[/,])CN=((?:[^/,\\]|\\.)+)/.exec(subject)?.[1];
  if (cn === undefined) throw new ContractError('FORBIDDEN_ROLE', 'the caller certificate has no common name');
  return `${caller.mspId}/${cn.replace(/\\(.)/g, '$1')}`;
}
