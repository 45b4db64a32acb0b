import type { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import type { OrdererInfo, OrdererOrg, PeerInfo, PeerOrg, Topology } from '../topology';
import { run } from '../util/exec';
import { cliIdentity, firstOrderer, identityEnv, ordererArgs, osnadminArgs, peerTargetEnv } from './cli-env';

/** Runs Fabric's admin CLIs (peer, osnadmin) as an org's administrator, over mutual TLS. */
export class AdminCli {
  constructor(
    private readonly toolchain: Toolchain,
    private readonly layout: StateLayout,
    private readonly topology: Topology,
  ) {}

  /** Environment of the `peer` CLI acting as the admin of `org`, over mutual TLS. */
  private adminEnv(org: PeerOrg | OrdererOrg): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FABRIC_LOGGING_SPEC: 'WARNING',
      ...identityEnv(this.toolchain, cliIdentity(this.layout, org)),
    };
  }

  /** Environment of the `peer` CLI acting as the admin of `peer`'s org against `peer`. */
  peerEnv(peer: PeerInfo): Record<string, string> {
    return { ...this.adminEnv(peer.org), ...peerTargetEnv(this.layout, peer) };
  }

  /** Flags that make a `peer` command reach an orderer over mutual TLS as the admin of `node`'s org. */
  ordererFlags(node: PeerInfo | OrdererInfo, orderer: OrdererInfo = firstOrderer(this.topology)): string[] {
    return ordererArgs(this.layout, cliIdentity(this.layout, node.org), orderer);
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
    const { stdout } = await run(this.toolchain.bin.osnadmin, [...args, ...osnadminArgs(this.layout, cliIdentity(this.layout, orderer.org), orderer)]);
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
