import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

import { identityOf, peerOrg, type IdentityFiles, type ParticipantRole, type PeerOrg, type StateLayout, type Topology } from '@energysale/network';

/** A user enrolled with its org's CA: the service signs the user's transactions with these files. */
export interface UserIdentity {
  readonly org: PeerOrg;
  readonly user: string;
  readonly role: ParticipantRole | undefined;
  /** `<MSP id>/<enrollment name>`, as the chaincode names participants. */
  readonly handle: string;
  readonly files: IdentityFiles;
  readonly certificate: Buffer;
}

export class UnknownIdentityError extends Error {
  override readonly name = 'UnknownIdentityError';
}

/** The enrolled identity `user` of `orgKey`, read from the network state; role from its certificate. */
export function loadIdentity(topology: Topology, layout: StateLayout, orgKey: string, user: string): UserIdentity {
  const org = peerOrg(topology, orgKey);
  const files = identityOf(layout, org.key, user);
  if (!existsSync(files.signCert) || !existsSync(files.signKey)) {
    throw new UnknownIdentityError(`${org.name} has no enrolled identity "${user}"`);
  }
  const certificate = readFileSync(files.signCert);
  return { org, user, role: roleOf(certificate), handle: `${org.mspId}/${user}`, files, certificate };
}

/** fabric-ca writes attributes as JSON into the certificate extension 1.2.3.4.5.6.7.8.1. */
function roleOf(certificate: Buffer): ParticipantRole | undefined {
  const raw = new X509Certificate(certificate).raw.toString('latin1');
  const match = /"role":"(exchange|retailer|consumer|regulator)"/.exec(raw);
  return match?.[1] as ParticipantRole | undefined;
}
