import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { stringify } from 'yaml';

import { allNodes, HEALTH_PATH, loadBalancer, monitoring, peers, serviceInstances, type HealthCheck, type PeerInfo, type ServiceInfo, type Topology } from '../../topology';
import type { ProcessKind } from '../native/supervisor';
import { splitEndpoint } from '../native/supervisor';
import { containerPlan, LABEL, ROLE_OF_KIND, type ContainerOf, type ContainerPlan } from './container';
import { IMAGE_ROLES, imageName, LOCAL_IMAGE_PREFIX, OFFICIAL_IMAGE_PREFIX, type ImageRole } from './images';

/*
 * docker-compose.yaml, generated from the topology model: every node of the model, the retail
 * service instances and nginx, and the monitoring, as the containers the docker runtime starts
 * (container.ts: the same names, images, host labels, host network and mounts, and the same launch
 * scripts). The scripts live in the network's state, written by `network up --runtime docker`; so
 * the first `up` makes the network (crypto, channel, chaincode), and compose can start it again
 * after a `network down`. Grafana (profile "grafana") mounts the provisioned dashboards. Profile
 * "couchdb" adds Table 2's seven CouchDB state databases (registry images; validated, not run here).
 * Every container has a healthcheck: the model's own health check of the node.
 */

/** The variables the compose file reads: the state, the repository and the toolchain cache, at the same paths in every container. */
export const COMPOSE_VARIABLES = {
  state: 'ENERGYSALE_STATE',
  repo: 'ENERGYSALE_ROOT',
  cache: 'ENERGYSALE_CACHE',
} as const;

/** Grafana's image, for machines with a registry (none is reachable here). */
export const GRAFANA_IMAGE = 'grafana/grafana-oss:12.1.0';

/** CouchDB's image: the 3.3 line Fabric 2.5 supports, for machines with a registry. */
export const COUCHDB_IMAGE = 'couchdb:3.3.3';

/** The compose profiles beyond the default deployment (LevelDB state, no Grafana). */
export const COMPOSE_PROFILE = { grafana: 'grafana', couchdb: 'couchdb' } as const;

/**
 * The variables of the CouchDB profile: the peers' state database (Fabric's name: goleveldb or
 * CouchDB) and the CouchDB admin every peer logs in as (change the password on a shared machine).
 */
export const COUCHDB_VARIABLES = {
  stateDatabase: 'ENERGYSALE_STATE_DATABASE',
  user: 'ENERGYSALE_COUCHDB_USER',
  password: 'ENERGYSALE_COUCHDB_PASSWORD',
} as const;

/** The project-made bridge the CouchDB containers sit on (each publishes its port on its peer's host address). */
export const COUCHDB_NETWORK = 'couchdb';

/** The container health check of a model's check: HTTP through curl (or busybox wget in the official images), TCP through node (the chaincode image). */
export function healthcheck(health: HealthCheck): Record<string, unknown> {
  let test: string[];
  if (health.kind === 'http') {
    test = ['CMD-SHELL', `curl -fsS -o /dev/null ${health.url} || wget -q -O /dev/null ${health.url}`];
  } else {
    const [host, port] = splitEndpoint(health.endpoint);
    const connect = `require('net').connect(${String(port)}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
    test = ['CMD', 'node', '-e', connect];
  }
  return { test, interval: '5s', timeout: '3s', retries: 3, start_period: '60s' };
}

/** The variable naming a role's image: the official image by default; composeEnv() sets the local ones (or any prefix's). */
export function imageVariable(role: ImageRole): string {
  return `ENERGYSALE_IMAGE_${role.toUpperCase().replace(/-/g, '_')}`;
}

const value = (name: string): string => `\${${name}}`;

/**
 * Every container of the deployment, in start order: CAs, orderers, peers, chaincode servers, service
 * tier, monitoring. Not the own-process exporter: it reads a state's process records, which only the
 * Supervisor keeps, so it runs natively beside a network the Supervisor started (any runtime).
 */
export function deploymentContainers(topology: Topology): ContainerOf[] {
  const of = (info: ServiceInfo, kind: ProcessKind): ContainerOf => ({ id: info.id, kind, host: { name: info.host.name, address: info.host.address }, health: info.health });
  const m = monitoring(topology);
  return [
    ...allNodes(topology).map((n): ContainerOf => ({ id: n.id, kind: n.kind, host: { name: n.host.name, address: n.host.address }, health: n.health })),
    ...serviceInstances(topology).map((s) => of(s, 'service')),
    of(loadBalancer(topology), 'lb'),
    of(m.nodeExporter, 'monitor'),
    of(m.prometheus, 'monitor'),
  ];
}

/**
 * The plan of every container of the deployment as a deployment file states it: the image and the
 * mounted paths are the file's variables, interpolated by the engine's tooling (compose, a swarm stack).
 */
export function variablePlans(topology: Topology): ContainerPlan[] {
  const mounts = { state: value(COMPOSE_VARIABLES.state), repo: value(COMPOSE_VARIABLES.repo), cache: value(COMPOSE_VARIABLES.cache) };
  return deploymentContainers(topology).map((c) => {
    const role = ROLE_OF_KIND[c.kind];
    return containerPlan(c, `\${${imageVariable(role)}:-${imageName(role, OFFICIAL_IMAGE_PREFIX)}}`, mounts);
  });
}

/**
 * A plan's bind mounts as volume entries. With `unsetHint`, each variable is required and the hint
 * is the message for an unset one (docker 28's `stack config` reports the emptied `::ro` specs instead): the first mention says how to
 * set each variable, and the file is refused rather than run with empty paths.
 */
export function volumeEntries(plan: ContainerPlan, unsetHint?: string): string[] {
  const reference = (name: string): string => (unsetHint === undefined ? value(name) : `\${${name}:?${unsetHint}}`);
  return plan.mounts.map((m) => `${m.path}:${m.path}${m.readOnly ? ':ro' : ''}`.replace(/\$\{(\w+)\}/, (_all, name: string) => reference(name)));
}

function service(plan: ContainerPlan, first: boolean, peer: PeerInfo | undefined): Record<string, unknown> {
  return {
    image: plan.image,
    container_name: plan.name,
    network_mode: 'host',
    ...(plan.hostPid ? { pid: 'host' } : {}),
    labels: plan.labels,
    ...(peer === undefined ? {} : { environment: stateDatabaseEnvironment() }),
    volumes: volumeEntries(plan, first ? 'set by npm run network -- compose' : undefined),
    entrypoint: ['/bin/sh'],
    command: [plan.script],
    ...(plan.health === undefined ? {} : { healthcheck: healthcheck(plan.health) }),
  };
}

/**
 * A peer's state database, chosen when its container starts (core.yaml names its CouchDB's address;
 * LevelDB unless ENERGYSALE_STATE_DATABASE=CouchDB). A peer whose state database is empty rebuilds it
 * from its blocks, so an existing network can switch.
 */
function stateDatabaseEnvironment(): Record<string, string> {
  return {
    CORE_LEDGER_STATE_STATEDATABASE: `\${${COUCHDB_VARIABLES.stateDatabase}:-goleveldb}`,
    CORE_LEDGER_STATE_COUCHDBCONFIG_USERNAME: `\${${COUCHDB_VARIABLES.user}:-admin}`,
    CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD: `\${${COUCHDB_VARIABLES.password}:-adminpw}`,
  };
}

/**
 * A peer's CouchDB (Table 2's couchdbN.<org>), in profile "couchdb": on the project's bridge, its port
 * published on the peer's host address only. CouchDB is told to listen on the model's port inside
 * its container too, so the mapping is the same number on both sides.
 */
function couchdbService(peer: PeerInfo): Record<string, unknown> {
  const db = peer.couchdb;
  const [address, port] = splitEndpoint(db.endpoint);
  const ini = `[chttpd]\\nport = ${String(port)}\\n`;
  return {
    image: COUCHDB_IMAGE,
    container_name: db.id,
    profiles: [COMPOSE_PROFILE.couchdb],
    labels: { [LABEL.node]: db.id, [LABEL.kind]: 'couchdb', [LABEL.host]: db.host.name, [LABEL.address]: db.host.address, 'com.energysale.peer': peer.id },
    environment: { COUCHDB_USER: `\${${COUCHDB_VARIABLES.user}:-admin}`, COUCHDB_PASSWORD: `\${${COUCHDB_VARIABLES.password}:-adminpw}` },
    networks: [COUCHDB_NETWORK],
    ports: [`${address}:${String(port)}:${String(port)}`],
    entrypoint: ['/bin/sh', '-c', `printf '${ini}' > /opt/couchdb/etc/local.d/zz-energysale.ini && exec tini -- /docker-entrypoint.sh /opt/couchdb/bin/couchdb`],
    // Inside its own network namespace: the published host address is not there, loopback is.
    healthcheck: healthcheck({ kind: 'http', url: `http://127.0.0.1:${String(port)}${HEALTH_PATH.couchdb}` }),
  };
}

/** The compose file's text. */
export function composeFile(topology: Topology): string {
  const services: Record<string, unknown> = {};
  const peerOf = new Map(peers(topology).map((p) => [p.id, p]));
  variablePlans(topology).forEach((plan, i) => {
    services[plan.name] = service(plan, i === 0, peerOf.get(plan.name));
  });
  const grafana = monitoring(topology).grafana;
  const provisioning = `${value(COMPOSE_VARIABLES.repo)}/dashboards/grafana`;
  services[grafana.id] = {
    image: GRAFANA_IMAGE,
    container_name: grafana.id,
    network_mode: 'host',
    profiles: [COMPOSE_PROFILE.grafana],
    labels: { [LABEL.node]: grafana.id, [LABEL.kind]: 'monitor', [LABEL.host]: grafana.host.name, [LABEL.address]: grafana.host.address },
    environment: { GF_SERVER_HTTP_ADDR: grafana.host.address, GF_SERVER_HTTP_PORT: String(splitEndpoint(grafana.endpoint)[1]) },
    volumes: [
      `${provisioning}/provisioning/datasources:/etc/grafana/provisioning/datasources:ro`,
      `${provisioning}/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro`,
      `${provisioning}/dashboards:/var/lib/grafana/dashboards/energysale:ro`,
    ],
    healthcheck: healthcheck(grafana.health),
  };
  for (const peer of peers(topology)) services[peer.couchdb.id] = couchdbService(peer);
  const header = [
    '# Generated from the topology model (network/src/runtime/docker/compose.ts): `npm run network -- compose --write`. Do not edit.',
    '# The containers of `npm run network -- up --runtime docker`. That first `up` makes the network (crypto, channel,',
    '# chaincode, and each container\'s launch script under $ENERGYSALE_STATE/containers); after `network down`,',
    '# `npm run network -- compose up` (docker-compose with the variables set) starts the same containers again.',
    '# Images: the official ones by default (a registry); `network compose` sets ENERGYSALE_IMAGE_<ROLE> to the images',
    '# `network images` builds here (--image-prefix selects another set). Grafana: profile "grafana" (a registry image).',
    `# CouchDB state databases: profile "couchdb" with ${COUCHDB_VARIABLES.stateDatabase}=CouchDB (\`network compose --couchdb ...\`; registry images).`,
    '',
  ].join('\n');
  return header + stringify({ version: '3.9', services, networks: { [COUCHDB_NETWORK]: { driver: 'bridge' } } }, { lineWidth: 0 });
}

/** The committed compose file: docker-compose.yaml at the repository's top level. */
export const composePath = resolve(__dirname, '..', '..', '..', '..', 'docker-compose.yaml');

/**
 * The compose file of a state's network: the committed one when it is what the state's model
 * generates (the model's own addresses), else the state's model's, written into the state (hosts
 * moved by ENERGYSALE_HOSTS).
 */
export async function stateComposePath(topology: Topology, stateRoot: string): Promise<string> {
  const text = composeFile(topology);
  if (existsSync(composePath) && readFileSync(composePath, 'utf8') === text) return composePath;
  const file = join(stateRoot, 'docker-compose.yaml');
  await writeFile(file, text);
  return file;
}

/**
 * The environment docker-compose needs for a network's state: where the mounted paths are, and the
 * image of each role under `imagePrefix` (default: the local images `network images` builds, the
 * only ones our machines can run; the official prefix gives the file's own defaults).
 */
export function composeEnv(stateRoot: string, repoRoot: string, cacheDir: string, imagePrefix: string = LOCAL_IMAGE_PREFIX): Record<string, string> {
  return {
    [COMPOSE_VARIABLES.state]: stateRoot,
    [COMPOSE_VARIABLES.repo]: repoRoot,
    [COMPOSE_VARIABLES.cache]: cacheDir,
    ...Object.fromEntries(IMAGE_ROLES.map((role) => [imageVariable(role), imageName(role, imagePrefix)])),
  };
}
