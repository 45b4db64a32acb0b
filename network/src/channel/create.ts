import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { identityOf } from '../crypto/org-crypto';
import { AdminCli } from '../fabric/admin-cli';
import { scrape, valueOf } from '../fabric/metrics';
import { CHANNEL_PROFILE, configtx } from '../generate/configtx';
import { toYaml } from '../generate/sampleconfig';
import type { NativeContext } from '../runtime/native/specs';
import { orderers, peers, type OrdererInfo } from '../topology';
import { run } from '../util/exec';
import { retry } from '../util/retry';

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
}

export function genesisBlockPath(ctx: NativeContext): string {
  return join(ctx.layout.channelDir, `${ctx.topology.channel.name}.block`);
}

/** configtx.yaml from the model, then the channel's genesis block (no system channel). */
export async function writeGenesisBlock(ctx: NativeContext): Promise<string> {
  const dir = ctx.layout.channelDir;
  await mkdir(dir, { recursive: true });
  const doc = configtx({
    topology: ctx.topology,
    orgMspDir: (key) => ctx.layout.orgMsp(key),
    ordererIdentity: (o) => identityOf(ctx.layout, o.org.key, o.node.name),
  });
  await writeFile(join(dir, 'configtx.yaml'), toYaml(doc));
  const block = genesisBlockPath(ctx);
  if (!existsSync(block)) {
    await run(
      ctx.toolchain.bin.configtxgen,
      ['-profile', CHANNEL_PROFILE, '-outputBlock', block, '-channelID', ctx.topology.channel.name],
      { env: { PATH: process.env.PATH ?? '', FABRIC_CFG_PATH: dir } },
    );
  }
  return block;
}

/**
 * The orderers leading the channel's Raft cluster, from their `consensus_etcdraft_is_leader` metric
 * (one when the cluster is healthy). An orderer that does not answer (down) leads nothing.
 */
export async function raftLeaders(ctx: NativeContext): Promise<OrdererInfo[]> {
  const channel = ctx.topology.channel.name;
  const leaders: OrdererInfo[] = [];
  for (const o of orderers(ctx.topology)) {
    const samples = await scrape(o.operationsEndpoint).catch(() => []);
    if (valueOf(samples, 'consensus_etcdraft_is_leader', { channel }) === 1) leaders.push(o);
  }
  return leaders;
}

/**
 * Resolves once the channel's Raft cluster has exactly one leader (bounded to 60 s): a channel just
 * joined, or orderers just started again from their ledgers, take a few election ticks before an
 * orderer accepts a transaction (before: SERVICE_UNAVAILABLE, "no Raft leader").
 */
export async function waitForRaftLeader(ctx: NativeContext): Promise<void> {
  const channel = ctx.topology.channel.name;
  await retry(
    async () => {
      const leaders = await raftLeaders(ctx);
      if (leaders.length !== 1) throw new ChannelError(`${channel}: ${leaders.length} Raft leaders, waiting for exactly one`);
    },
    { attempts: 120, delayMs: 500 },
  );
}

/**
 * Joins every orderer (channel participation API) and every peer to the application channel.
 * Idempotent: nodes already joined are left alone.
 */
export async function createChannel(ctx: NativeContext, log: (line: string) => void): Promise<void> {
  const cli = new AdminCli(ctx.toolchain, ctx.layout, ctx.topology);
  const channel = ctx.topology.channel.name;
  const block = await writeGenesisBlock(ctx);
  for (const o of orderers(ctx.topology)) {
    const list = (await cli.osnadmin(o, ['channel', 'list'])) as { channels: { name: string }[] | null };
    if ((list.channels ?? []).some((c) => c.name === channel)) continue;
    log(`  ${o.id} joins ${channel}`);
    await cli.osnadmin(o, ['channel', 'join', '--channelID', channel, '--config-block', block]);
  }
  await waitForRaftLeader(ctx);
  await Promise.all(
    peers(ctx.topology).map(async (p) => {
      const joined = await cli.peer(p, ['channel', 'list']);
      if (joined.split('\n').some((line) => line.trim() === channel)) return;
      log(`  ${p.id} joins ${channel}`);
      await retry(() => cli.peer(p, ['channel', 'join', '-b', block]), { attempts: 10, delayMs: 1000 });
    }),
  );
}
