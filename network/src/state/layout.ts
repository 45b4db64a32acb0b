import { join, resolve } from 'node:path';

import type { NodeInfo } from '../topology';

/** Root of the network's generated state; outside git (see .gitignore). */
export function stateRoot(): string {
  return resolve(process.env.ENERGYSALE_STATE ?? join(__dirname, '..', '..', '.state'));
}

/** Where every generated file of one network lives. One place, so `clean` removes exactly this. */
export class StateLayout {
  constructor(readonly root: string = stateRoot()) {}

  /** fabric-ca-server home of an org's CA. */
  caServerHome(orgKey: string): string {
    return join(this.root, 'ca', orgKey, 'server');
  }
  /** fabric-ca-client home of the CA's bootstrap registrar. */
  caRegistrarHome(orgKey: string): string {
    return join(this.root, 'ca', orgKey, 'registrar');
  }
  /** Random bootstrap password of the CA's registrar, generated on first start. */
  caRegistrarSecret(orgKey: string): string {
    return join(this.root, 'ca', orgKey, 'registrar.secret');
  }
  /** The CA's root certificate: trust anchor for the CA's own TLS and for the org's MSP. */
  caCert(orgKey: string): string {
    return join(this.caServerHome(orgKey), 'ca-cert.pem');
  }
  /** The org's channel MSP (cacerts, tlscacerts, config.yaml), as configtxgen reads it. */
  orgMsp(orgKey: string): string {
    return join(this.root, 'orgs', orgKey, 'msp');
  }
  /** Local MSP and TLS material of a node or a user: `<dir>/msp`, `<dir>/tls`. */
  identityDir(orgKey: string, name: string): string {
    return join(this.root, 'orgs', orgKey, 'identities', name);
  }
  nodeDir(node: NodeInfo): string {
    return join(this.root, 'nodes', node.id);
  }
  nodeConfigDir(node: NodeInfo): string {
    return join(this.nodeDir(node), 'config');
  }
  nodeDataDir(node: NodeInfo): string {
    return join(this.nodeDir(node), 'data');
  }
  get channelDir(): string {
    return join(this.root, 'channel');
  }
  get chaincodeDir(): string {
    return join(this.root, 'chaincode');
  }
  /** Builds of the chaincodes `network deploy --path` deployed: what their servers run. */
  get chaincodeBuildsDir(): string {
    return join(this.chaincodeDir, 'builds');
  }
  /** The chaincodes deployed beside ours (`network deploy --name --path`): their definitions and servers. */
  get chaincodesFile(): string {
    return join(this.root, 'chaincodes.json');
  }
  get logDir(): string {
    return join(this.root, 'logs');
  }
  logFile(id: string): string {
    return join(this.logDir, `${id}.log`);
  }
  /** The processes this network started: what `down` stops, and nothing else. */
  get processFile(): string {
    return join(this.root, 'processes.json');
  }
  /** Which runtime runs this network's processes (native or docker), chosen by its first `up`. */
  get runtimeFile(): string {
    return join(this.root, 'runtime.json');
  }
  /** Facts recorded by `up` (channel created, chaincode sequence, ...). */
  get statusFile(): string {
    return join(this.root, 'network.json');
  }
}
