import { identityOf, ORG_ADMIN } from '../crypto/org-crypto';
import type { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import { orderers, type OrdererInfo, type OrdererOrg, type PeerInfo, type PeerOrg, type Topology } from '../topology';
import { run } from '../util/exec';

/** Runs Fabric's admin CLIs (peer, osnadmin) as an org's administrator, over mutual TLS. */
export class AdminCli {
  constructor(
    private readonly toolchain: Toolchain,
    private readonly layout: StateLayout,
    private readonly topology: Topology,
  ) {}

  /** Environment of the `peer` CLI acting as the admin of `org`, over mutual TLS. */
  private adminEnv(org: PeerOrg | OrdererOrg): Record<string, string> {
    const admin = identityOf(this.layout, org.key, ORG_ADMIN);
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FABRIC_CFG_PATH: this.toolchain.sampleConfigDir,
      FABRIC_LOGGING_SPEC: 'WARNING',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: admin.mspDir,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
      CORE_PEER_TLS_CLIENTCERT_FILE: admin.tlsCert,
      CORE_PEER_TLS_CLIENTKEY_FILE: admin.tlsKey,
    };
  }

  /** Environment of the `peer` CLI acting as the admin of `peer`'s org against `peer`. */
  peerEnv(peer: PeerInfo): Record<string, string> {
    return {
      ...this.adminEnv(peer.org),
      CORE_PEER_ADDRESS: peer.endpoint,
      CORE_PEER_TLS_ROOTCERT_FILE: this.layout.caCert(peer.org.key),
    };
  }

  /** Flags that make a `peer` command reach an orderer over mutual TLS as the admin of `node`'s org. */
  ordererFlags(node: PeerInfo | OrdererInfo, orderer: OrdererInfo = this.firstOrderer()): string[] {
    const admin = identityOf(this.layout, node.org.key, ORG_ADMIN);
    return [
      '-o',
      orderer.endpoint,
      '--tls',
      '--cafile',
      this.layout.caCert(orderer.org.key),
      '--clientauth',
      '--certfile',
      admin.tlsCert,
      '--keyfile',
      admin.tlsKey,
    ];
  }

  private firstOrderer(): OrdererInfo {
    const [first] = orderers(this.topology);
    if (!first) throw new Error('the topology has no orderer');
    return first;
  }

  /**
   * Runs the `peer` CLI as the admin of `node`'s org: against `node` when it is a peer; an orderer
   * org's admin reaches only orderers (through `ordererFlags`), e.g. to sign and submit channel config updates.
   */
  async peer(node: PeerInfo | OrdererInfo, args: readonly string[], timeoutMs = 120_000): Promise<string> {
    const env = node.kind === 'peer' ? this.peerEnv(node) : this.adminEnv(node.org);
    const { stdout, stderr } = await run(this.toolchain.bin.peer, args, { env, timeoutMs });
    return stdout + stderr;
  }

  /** osnadmin against an orderer's channel participation API, as the orderer org's admin; returns its JSON body. */
  async osnadmin(orderer: OrdererInfo, args: readonly string[]): Promise<unknown> {
    const admin = identityOf(this.layout, orderer.org.key, ORG_ADMIN);
    const { stdout } = await run(this.toolchain.bin.osnadmin, [
      ...args,
      '-o',
      orderer.adminEndpoint,
      '--ca-file',
      this.layout.caCert(orderer.org.key),
      '--client-cert',
      admin.tlsCert,
      '--client-key',
      admin.tlsKey,
    ]);
    // osnadmin prints "Status: <code>" and then the response body.
    const body = stdout.slice(stdout.indexOf('{')).trim();
    return body ? (JSON.parse(body) as unknown) : undefined;
  }

  /** Height and current block hash of the channel's ledger on one peer. */
  async chainInfo(peer: PeerInfo, channel: string): Promise<{ height: number; currentBlockHash: string }> {
    const out = await this.peer(peer, ['channel', 'getinfo', '-c', channel]);
    const json = out.slice(out.indexOf('{'));
    return JSON.parse(json.slice(0, json.lastIndexOf('}') + 1)) as { height: number; currentBlockHash: string };
  }
}
