import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { identityOf } from '../crypto/org-crypto';
import type { NativeContext } from '../runtime/native/specs';
import { splitEndpoint, type ProcessSpec, type Supervisor } from '../runtime/native/supervisor';
import { boundEndpoints, chaincodeServers, type ChaincodeServerInfo, type HealthCheck, type Host } from '../topology';
import { deployDefinition, type DeployedChaincode } from './deploy';
import { packageChaincode } from './package';
import { buildChaincode, ChaincodeSourceError, serverCommand, type ChaincodeBuild } from './source';

/** What `network deploy --name N --path DIR` was asked for. */
export interface UserChaincodeRequest {
  readonly name: string;
  readonly path: string;
  /** Default: the version package.json declares, else 1.0. */
  readonly version?: string;
  /** Signature policy; absent: the channel's default (MAJORITY Endorsement). */
  readonly policy?: string;
  readonly collections?: string;
  readonly init?: string;
}

/** A chaincode deployed beside ours, as the state records it: enough to restart its servers and to tell an upgrade. */
export interface UserChaincodeRecord extends DeployedChaincode {
  readonly build: Pick<ChaincodeBuild, 'language' | 'api' | 'source' | 'artefact' | 'codeHash'>;
  readonly policy?: string;
  readonly collections?: string;
  readonly init?: string;
  /** Its servers listen at each host's model chaincode port + slot. */
  readonly slot: number;
  readonly deployedAt: string;
}

/** One chaincode server of a deployed chaincode, as `status` and `chaincodes` list it. */
export interface UserChaincodeServer {
  readonly id: string;
  readonly chaincode: string;
  readonly host: Host;
  readonly endpoint: string;
  readonly health: HealthCheck;
}

export class UserChaincodeError extends Error {
  override readonly name = 'UserChaincodeError';
}

/** A chaincode name as the lifecycle takes it (and as a process and log name reads). */
const NAME = /^[a-z0-9][a-z0-9_-]{0,48}$/;

export async function readUserChaincodes(ctx: Pick<NativeContext, 'layout'>): Promise<UserChaincodeRecord[]> {
  if (!existsSync(ctx.layout.chaincodesFile)) return [];
  return Object.values(JSON.parse(await readFile(ctx.layout.chaincodesFile, 'utf8')) as Record<string, UserChaincodeRecord>);
}

async function writeUserChaincodes(ctx: Pick<NativeContext, 'layout'>, records: readonly UserChaincodeRecord[]): Promise<void> {
  await mkdir(ctx.layout.root, { recursive: true });
  await writeFile(ctx.layout.chaincodesFile, `${JSON.stringify(Object.fromEntries(records.map((r) => [r.name, r])), null, 2)}\n`);
}

/** The servers of a chaincode at `slot`: one per host that runs peers, at the model's chaincode port + slot. */
function serversAt(ctx: NativeContext, name: string, slot: number): { server: ChaincodeServerInfo; id: string; port: number; endpoint: string }[] {
  return chaincodeServers(ctx.topology).map((server) => {
    const port = splitEndpoint(server.endpoint)[1] + slot;
    return { server, id: `${name}.chaincode.${server.host.name}.${ctx.topology.domain}`, port, endpoint: `${server.host.address}:${port}` };
  });
}

/** The lowest slot whose ports no node of the model and no other deployed chaincode uses. */
function freeSlot(ctx: NativeContext, others: readonly UserChaincodeRecord[]): number {
  const bound = new Set(boundEndpoints(ctx.topology).map((b) => b.endpoint));
  for (let slot = 1; slot < 100; slot += 1) {
    if (others.some((o) => o.slot === slot)) continue;
    if (serversAt(ctx, '', slot).every((s) => !bound.has(s.endpoint))) return slot;
  }
  throw new UserChaincodeError('no free port for another chaincode server (99 chaincodes deployed?)');
}

/** The server processes of a deployed chaincode (native processes in every runtime: the build is on this machine). */
export function userServerSpecs(ctx: NativeContext, record: Pick<UserChaincodeRecord, 'name' | 'slot' | 'packageId' | 'build'>): ProcessSpec[] {
  return serversAt(ctx, record.name, record.slot).map(({ server, id, endpoint }) => {
    const identity = identityOf(ctx.layout, server.org.key, `chaincode-${server.host.name}`);
    const run = serverCommand(record.build, {
      address: endpoint,
      packageId: record.packageId,
      key: identity.tlsKey,
      cert: identity.tlsCert,
      clientCa: ctx.layout.caCert(server.org.key),
    });
    return {
      id,
      kind: 'chaincode',
      ...run,
      health: { kind: 'tcp', endpoint },
      binds: [{ endpoint, purpose: `chaincode server of ${record.name}` }],
      native: true,
    };
  });
}

/** Every server of every deployed chaincode. */
export async function userChaincodeServers(ctx: NativeContext): Promise<UserChaincodeServer[]> {
  return (await readUserChaincodes(ctx)).flatMap((record) =>
    serversAt(ctx, record.name, record.slot).map(({ server, id, endpoint }) => ({ id, chaincode: record.name, host: server.host, endpoint, health: { kind: 'tcp', endpoint } as const })),
  );
}

/**
 * Deploys any chaincode built for Fabric (Node or Go, see source.ts) as a service: built into the
 * state, packaged (its servers at each host's own port), installed on every peer, approved by
 * every org, committed; its servers supervised like ours (`up` restarts them, `down` stops them,
 * `status` and `logs` know them). A changed build, version, policy, collections or init function
 * is an upgrade (sequence + 1); the same again does nothing.
 */
export async function deployUserChaincode(ctx: NativeContext, supervisor: Supervisor, log: (line: string) => void, request: UserChaincodeRequest): Promise<UserChaincodeRecord> {
  if (!NAME.test(request.name)) throw new UserChaincodeError(`--name must be lower-case letters, digits, - and _ (at most 49), starting with a letter or digit; got "${request.name}"`);
  if (request.name === ctx.topology.chaincode.name) {
    throw new UserChaincodeError(`${request.name} is the retail chaincode of the model: deploy it with \`network deploy\` (no --name)`);
  }
  if (request.collections !== undefined && !existsSync(request.collections)) throw new UserChaincodeError(`--collections ${request.collections}: no such file`);
  const all = await readUserChaincodes(ctx);
  const previous = all.find((r) => r.name === request.name);
  const others = all.filter((r) => r.name !== request.name);
  const slot = previous?.slot ?? freeSlot(ctx, others);
  log(`chaincode ${request.name} from ${resolve(request.path)}`);
  const build = await buildChaincode(request.name, request.path, ctx.layout.chaincodeBuildsDir, ctx.toolchain, log).catch((error: unknown) => {
    throw error instanceof ChaincodeSourceError ? error : new UserChaincodeError(`cannot build ${request.name}`, { cause: error });
  });
  log(`  ${build.language} chaincode, source ${build.codeHash.slice(0, 12)}`);
  const version = request.version ?? build.declaredVersion ?? '1.0';
  const [firstServer] = serversAt(ctx, request.name, slot);
  if (!firstServer) throw new UserChaincodeError('the model has no chaincode server host');
  const pkg = await packageChaincode(
    { name: request.name, version, codeHash: build.codeHash, address: `{{.chaincode_host}}:${firstServer.port}`, ...(build.metaInf ? { metaInf: build.metaInf } : {}) },
    ctx.layout.chaincodeDir,
  );
  const collections = request.collections === undefined ? undefined : resolve(request.collections);
  const definition = { policy: request.policy, collections, init: request.init };
  const deployed = await deployDefinition(ctx, supervisor, log, {
    name: request.name,
    pkg,
    ...(request.policy === undefined ? {} : { policy: request.policy }),
    ...(collections === undefined ? {} : { collections }),
    ...(request.init === undefined ? {} : { init: request.init }),
    servers: userServerSpecs(ctx, { name: request.name, slot, packageId: pkg.packageId, build }),
    // What was committed is this request when the state recorded it at that sequence with the same package and definition.
    isCommitted: (committed, approved) =>
      previous !== undefined &&
      previous.sequence === committed.sequence &&
      approved === pkg.packageId &&
      JSON.stringify({ policy: previous.policy, collections: previous.collections, init: previous.init }) === JSON.stringify(definition),
  });
  const record: UserChaincodeRecord = {
    ...deployed,
    build: { language: build.language, ...(build.api ? { api: build.api } : {}), source: build.source, artefact: build.artefact, codeHash: build.codeHash },
    ...(request.policy === undefined ? {} : { policy: request.policy }),
    ...(collections === undefined ? {} : { collections }),
    ...(request.init === undefined ? {} : { init: request.init }),
    slot,
    deployedAt: deployed.committed || previous === undefined ? new Date().toISOString() : previous.deployedAt,
  };
  await writeUserChaincodes(ctx, [...others, record]);
  return record;
}

/** Starts the servers of every deployed chaincode (what `up` does after a `down`); returns their ids. */
export async function startUserChaincodes(ctx: NativeContext, supervisor: Supervisor, log: (line: string) => void): Promise<string[]> {
  const started: string[] = [];
  for (const record of await readUserChaincodes(ctx)) {
    if (!existsSync(record.build.artefact)) {
      throw new UserChaincodeError(`${record.name}: its build ${record.build.artefact} is gone: deploy it again (network deploy --name ${record.name} --path ${record.build.source})`);
    }
    log(`chaincode ${record.name} (sequence ${record.sequence}): servers`);
    for (const spec of userServerSpecs(ctx, record)) {
      await supervisor.start(spec);
      started.push(spec.id);
    }
  }
  return started;
}
