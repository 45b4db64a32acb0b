import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AdminCli } from '../fabric/admin-cli';
import type { NativeContext } from '../runtime/native/specs';
import { orderers, peers, type OrdererInfo, type PeerInfo } from '../topology';
import { run } from '../util/exec';
import { sleep } from '../util/retry';

/** A channel config as configtxlator prints it: `common.Config` in protobuf JSON. */
export type ConfigJson = Record<string, unknown>;

/** The channel's current config as one node holds it. */
export interface ChannelConfig {
  /** Number of the block that carries it: the channel's last config block. */
  readonly blockNumber: number;
  readonly config: ConfigJson;
}

/** Fetching, computing, submitting or waiting for a channel config update failed. */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

export type ChannelNode = PeerInfo | OrdererInfo;

interface BlockJson {
  readonly header?: { readonly number?: string | number };
  readonly data?: { readonly data?: readonly { readonly payload?: { readonly data?: { readonly config?: ConfigJson } } }[] };
}

async function inScratchDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'channel-config-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Through files: configtxlator opens /dev/stdout, which fails on the socket node gives a child's stdout.
async function protoDecode(ctx: NativeContext, file: string, type: string): Promise<unknown> {
  await run(ctx.toolchain.bin.configtxlator, ['proto_decode', '--input', file, '--type', type, '--output', `${file}.json`], { timeoutMs: 60_000 });
  return JSON.parse(await readFile(`${file}.json`, 'utf8')) as unknown;
}

async function protoEncode(ctx: NativeContext, json: unknown, type: string, file: string): Promise<string> {
  await writeFile(`${file}.json`, JSON.stringify(json));
  await run(ctx.toolchain.bin.configtxlator, ['proto_encode', '--input', `${file}.json`, '--type', type, '--output', file], { timeoutMs: 60_000 });
  return file;
}

/**
 * The channel's current config as `node` sees it: a peer answers from its own ledger (its deliver
 * service), an orderer from its own copy of the chain. Read as the admin of the node's org.
 */
export async function fetchChannelConfig(ctx: NativeContext, node: ChannelNode): Promise<ChannelConfig> {
  const cli = new AdminCli(ctx.toolchain, ctx.layout, ctx.topology);
  const channel = ctx.topology.channel.name;
  try {
    return await inScratchDir(async (dir) => {
      const file = join(dir, 'config.block');
      const from = node.kind === 'orderer' ? cli.ordererFlags(node, node) : [];
      await cli.peer(node, ['channel', 'fetch', 'config', file, '-c', channel, ...from], 60_000);
      const block = (await protoDecode(ctx, file, 'common.Block')) as BlockJson;
      const config = block.data?.data?.[0]?.payload?.data?.config;
      const blockNumber = Number(block.header?.number ?? 0);
      if (!config) throw new ChannelConfigError(`block ${blockNumber} from ${node.id} carries no channel config`);
      return { blockNumber, config };
    });
  } catch (error) {
    if (error instanceof ChannelConfigError) throw error;
    throw new ChannelConfigError(`cannot fetch the config of ${channel} from ${node.id}`, { cause: error });
  }
}

/**
 * Computes the update from `original` to `updated`, wraps it in a CONFIG_UPDATE envelope, signs it as
 * the admin of `signer`'s organisation and submits it through `orderer`. The signer is the org whose
 * admins the changed elements' mod_policy names: the orderer org for the values under
 * /Channel/Orderer, a peer org for its own group under /Channel/Application (e.g. its MSP's
 * revocation list).
 */
export async function submitConfigUpdate(ctx: NativeContext, original: ConfigJson, updated: ConfigJson, orderer: OrdererInfo, signer: ChannelNode = orderer): Promise<void> {
  const cli = new AdminCli(ctx.toolchain, ctx.layout, ctx.topology);
  const channel = ctx.topology.channel.name;
  await inScratchDir(async (dir) => {
    let envelope: string;
    try {
      const from = await protoEncode(ctx, original, 'common.Config', join(dir, 'original.pb'));
      const to = await protoEncode(ctx, updated, 'common.Config', join(dir, 'updated.pb'));
      const update = join(dir, 'update.pb');
      await run(ctx.toolchain.bin.configtxlator, ['compute_update', '--channel_id', channel, '--original', from, '--updated', to, '--output', update], { timeoutMs: 60_000 });
      const configUpdate = await protoDecode(ctx, update, 'common.ConfigUpdate');
      const wrapped = { payload: { header: { channel_header: { channel_id: channel, type: 2 } }, data: { config_update: configUpdate } } };
      envelope = await protoEncode(ctx, wrapped, 'common.Envelope', join(dir, 'envelope.pb'));
    } catch (error) {
      throw new ChannelConfigError(`cannot compute the config update of ${channel}`, { cause: error });
    }
    try {
      // `peer channel update` adds the admin's config signature and signs the envelope.
      await cli.peer(signer, ['channel', 'update', '-f', envelope, '-c', channel, ...cli.ordererFlags(signer, orderer)], 60_000);
    } catch (error) {
      throw new ChannelConfigError(`${orderer.id} refused the config update of ${channel} signed by the ${signer.org.mspId} admin`, { cause: error });
    }
  });
}

/**
 * Waits until every orderer and every peer of the model holds a channel config that satisfies
 * `done`; returns what each holds. Nodes that already agree are not asked again.
 */
export async function waitForChannelConfig(
  ctx: NativeContext,
  done: (config: ChannelConfig) => boolean,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Map<string, ChannelConfig>> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const seen = new Map<string, ChannelConfig>();
  let pending: ChannelNode[] = [...orderers(ctx.topology), ...peers(ctx.topology)];
  let lastError: unknown;
  for (;;) {
    const results = await Promise.all(
      pending.map(async (node) => {
        try {
          const config = await fetchChannelConfig(ctx, node);
          if (!done(config)) return node;
          seen.set(node.id, config);
          return undefined;
        } catch (error) {
          lastError = error;
          return node;
        }
      }),
    );
    pending = results.filter((n) => n !== undefined);
    if (pending.length === 0) return seen;
    if (Date.now() > deadline) {
      throw new ChannelConfigError(
        `${pending.map((n) => n.id).join(', ')} still do not show the new config of ${ctx.topology.channel.name} after ${options.timeoutMs ?? 60_000} ms`,
        { cause: lastError },
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/**
 * Submits the update from `current` to `updated` (signed as the admin of `signer`'s org, through
 * `orderer`) and waits until every orderer and peer holds a newer config for which `holds` is true,
 * in one and the same config block; returns that block and how many nodes hold it. `what` names the
 * change in errors.
 */
export async function applyConfigUpdate(
  ctx: NativeContext,
  current: ChannelConfig,
  updated: ConfigJson,
  options: { orderer: OrdererInfo; signer?: ChannelNode; holds: (config: ConfigJson) => boolean; what: string; timeoutMs?: number },
): Promise<{ configBlock: number; nodes: number }> {
  await submitConfigUpdate(ctx, current.config, updated, options.orderer, options.signer ?? options.orderer);
  const held = await waitForChannelConfig(
    ctx,
    (c) => c.blockNumber > current.blockNumber && options.holds(c.config),
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
  const blocks = [...new Set([...held.values()].map((c) => c.blockNumber))];
  const [configBlock] = blocks;
  if (configBlock === undefined || blocks.length !== 1) throw new ChannelConfigError(`the nodes hold ${options.what} in different config blocks: ${blocks.join(', ')}`);
  return { configBlock, nodes: held.size };
}
