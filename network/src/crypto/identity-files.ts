import { join } from 'node:path';

/** The fixed file names of an enrolled identity, whatever the CA client named them. */
export interface IdentityFiles {
  readonly dir: string;
  readonly mspDir: string;
  readonly signCert: string;
  readonly signKey: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  /** The TLS root that issued tlsCert (the org CA). */
  readonly tlsCa: string;
}

export function identityFiles(dir: string): IdentityFiles {
  return {
    dir,
    mspDir: join(dir, 'msp'),
    signCert: join(dir, 'msp', 'signcerts', 'cert.pem'),
    signKey: join(dir, 'msp', 'keystore', 'key.pem'),
    tlsCert: join(dir, 'tls', 'cert.pem'),
    tlsKey: join(dir, 'tls', 'key.pem'),
    tlsCa: join(dir, 'tls', 'ca.pem'),
  };
}

/** MSP config.yaml with Node OUs, so a certificate's type (peer, orderer, admin, client) is its role in policies. */
export function nodeOuConfig(caCertRelative: string): string {
  const ou = (name: string): string => `    Certificate: ${caCertRelative}\n    OrganizationalUnitIdentifier: ${name}\n`;
  return [
    'NodeOUs:',
    '  Enable: true',
    '  ClientOUIdentifier:',
    ou('client'),
    '  PeerOUIdentifier:',
    ou('peer'),
    '  AdminOUIdentifier:',
    ou('admin'),
    '  OrdererOUIdentifier:',
    ou('orderer'),
  ].join('\n');
}
