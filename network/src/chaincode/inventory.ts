import { AdminCli } from '../fabric/admin-cli';
import type { NativeContext } from '../runtime/native/specs';
import { isRunning, probe, type Supervisor } from '../runtime/native/supervisor';
import { chaincodeServers, type HealthCheck } from '../topology';
import { committedChaincodes } from './committed';
import { readUserChaincodes, userChaincodeServers } from './user';

/** A server of a committed chaincode: where it listens and whether it answers. */
export interface ServerState {
  readonly id: string;
  readonly endpoint: string;
  readonly running: boolean;
  readonly healthy: boolean;
}

/** One chaincode committed on the channel: its definition, where it came from, its servers. */
export interface ChaincodeEntry {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly initRequired: boolean;
  /** `retail` (the model's, from the chaincode workspace), `node` or `go` (deployed with --path), or `unknown` (committed by someone else). */
  readonly origin: 'retail' | 'node' | 'go' | 'unknown';
  readonly source?: string;
  readonly policy?: string;
  readonly servers: readonly ServerState[];
}

/** What `network chaincodes` lists: every definition committed on the channel, with versions, sequences and servers. */
export async function chaincodeInventory(ctx: NativeContext, supervisor: Supervisor): Promise<ChaincodeEntry[]> {
  const committed = await committedChaincodes(new AdminCli(ctx.toolchain, ctx.layout, ctx.topology), ctx.topology);
  const records = await supervisor.records();
  const deployed = await readUserChaincodes(ctx);
  const userServers = await userChaincodeServers(ctx);
  const state = async (server: { id: string; endpoint: string; health: HealthCheck }): Promise<ServerState> => {
    const record = records.find((r) => r.id === server.id);
    const running = record !== undefined && isRunning(record);
    return { id: server.id, endpoint: server.endpoint, running, healthy: running && (await probe(server.health)) };
  };
  return Promise.all(
    committed.map(async (definition): Promise<ChaincodeEntry> => {
      if (definition.name === ctx.topology.chaincode.name) {
        return { ...definition, origin: 'retail', policy: ctx.topology.chaincode.endorsementPolicy, servers: await Promise.all(chaincodeServers(ctx.topology).map(state)) };
      }
      const record = deployed.find((d) => d.name === definition.name);
      if (!record) return { ...definition, origin: 'unknown', servers: [] };
      return {
        ...definition,
        origin: record.build.language,
        source: record.build.source,
        ...(record.policy === undefined ? {} : { policy: record.policy }),
        servers: await Promise.all(userServers.filter((s) => s.chaincode === record.name).map(state)),
      };
    }),
  );
}
