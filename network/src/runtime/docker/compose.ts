import { resolve } from 'node:path';

import { stringify } from 'yaml';

import { allNodes, loadBalancer, monitoring, serviceInstances, type ServiceInfo, type Topology } from '../../topology';
import type { ProcessKind } from '../native/supervisor';
import { splitEndpoint } from '../native/supervisor';
import { containerPlan, LABEL, ROLE_OF_KIND, type ContainerOf, type ContainerPlan } from './container';
import { imageName, LOCAL_IMAGE_PREFIX, type ImageRole } from './images';

/*
 * docker-compose.yaml, generated from the topology model: every node of the model, the retail
 * service instances and nginx, and the monitoring, as the containers the docker runtime starts
 * (container.ts: the same names, images, host labels, host network and mounts, and the same launch
 * scripts). The scripts live in the network's state, written by `network up --runtime docker`; so
 * the first `up` makes the network (crypto, channel, chaincode), and compose can start it again
 * after a `network down`. Grafana (profile "grafana") mounts the provisioned dashboards.
 */

/** The variables the compose file reads: the state, the repository and the toolchain cache, at the same paths in every container. */
export const COMPOSE_VARIABLES = {
  state: 'ENERGYSALE_STATE',
  repo: 'ENERGYSALE_ROOT',
  cache: 'ENERGYSALE_CACHE',
} as const;

/** Grafana's image, for machines with a registry (none is reachable here). */
export const GRAFANA_IMAGE = 'grafana/grafana-oss:12.1.0';

/** The image of a role: the local one by default; ENERGYSALE_IMAGE_<ROLE> selects another (e.g. the official one). */
export function imageVariable(role: ImageRole): string {
  return `ENERGYSALE_IMAGE_${role.toUpperCase().replace(/-/g, '_')}`;
}

const value = (name: string): string => `\${${name}}`;

/** Every container of the deployment, in start order: CAs, orderers, peers, chaincode servers, service tier, monitoring. */
export function deploymentContainers(topology: Topology): ContainerOf[] {
  const of = (info: ServiceInfo, kind: ProcessKind): ContainerOf => ({ id: info.id, kind, host: { name: info.host.name, address: info.host.address } });
  const m = monitoring(topology);
  return [
    ...allNodes(topology).map((n): ContainerOf => ({ id: n.id, kind: n.kind, host: { name: n.host.name, address: n.host.address } })),
    ...serviceInstances(topology).map((s) => of(s, 'service')),
    of(loadBalancer(topology), 'lb'),
    of(m.nodeExporter, 'monitor'),
    of(m.processExporter, 'monitor'),
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
    return containerPlan(c, `\${${imageVariable(role)}:-${imageName(role, LOCAL_IMAGE_PREFIX)}}`, mounts);
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

function service(plan: ContainerPlan, first: boolean): Record<string, unknown> {
  return {
    image: plan.image,
    container_name: plan.name,
    network_mode: 'host',
    ...(plan.hostPid ? { pid: 'host' } : {}),
    labels: plan.labels,
    volumes: volumeEntries(plan, first ? 'set by npm run network -- compose' : undefined),
    entrypoint: ['/bin/sh'],
    command: [plan.script],
  };
}

/** The compose file's text. */
export function composeFile(topology: Topology): string {
  const services: Record<string, unknown> = {};
  variablePlans(topology).forEach((plan, i) => {
    services[plan.name] = service(plan, i === 0);
  });
  const grafana = monitoring(topology).grafana;
  const provisioning = `${value(COMPOSE_VARIABLES.repo)}/dashboards/grafana`;
  services[grafana.id] = {
    image: GRAFANA_IMAGE,
    container_name: grafana.id,
    network_mode: 'host',
    profiles: ['grafana'],
    labels: { [LABEL.node]: grafana.id, [LABEL.kind]: 'monitor', [LABEL.host]: grafana.host.name, [LABEL.address]: grafana.host.address },
    environment: { GF_SERVER_HTTP_ADDR: grafana.host.address, GF_SERVER_HTTP_PORT: String(splitEndpoint(grafana.endpoint)[1]) },
    volumes: [
      `${provisioning}/provisioning/datasources:/etc/grafana/provisioning/datasources:ro`,
      `${provisioning}/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro`,
      `${provisioning}/dashboards:/var/lib/grafana/dashboards/energysale:ro`,
    ],
  };
  const header = [
    '# Generated from the topology model (network/src/runtime/docker/compose.ts): `npm run network -- compose --write`. Do not edit.',
    '# The containers of `npm run network -- up --runtime docker`. That first `up` makes the network (crypto, channel,',
    '# chaincode, and each container\'s launch script under $ENERGYSALE_STATE/containers); after `network down`,',
    '# `npm run network -- compose up` (docker-compose with the variables set) starts the same containers again.',
    '# Grafana: profile "grafana" (its image needs a registry). Images: ENERGYSALE_IMAGE_<ROLE> overrides the local ones.',
    '',
  ].join('\n');
  return header + stringify({ version: '3.9', services }, { lineWidth: 0 });
}

/** The committed compose file: docker-compose.yaml at the repository's top level. */
export const composePath = resolve(__dirname, '..', '..', '..', '..', 'docker-compose.yaml');

/** The environment docker-compose needs for a network's state: where the mounted paths are. */
export function composeEnv(stateRoot: string, repoRoot: string, cacheDir: string): Record<string, string> {
  return { [COMPOSE_VARIABLES.state]: stateRoot, [COMPOSE_VARIABLES.repo]: repoRoot, [COMPOSE_VARIABLES.cache]: cacheDir };
}
