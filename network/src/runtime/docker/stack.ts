import { resolve } from 'node:path';

import { stringify } from 'yaml';

import type { Topology } from '../../topology';
import { LABEL, type ContainerPlan } from './container';
import { healthcheck, variablePlans, volumeEntries } from './compose';

/*
 * A docker swarm stack generated from the topology model, to spread the model's hosts (vm1..vm4)
 * over real machines: the containers of the compose file (compose.ts: same images, labels, launch
 * scripts and mounts), each a swarm service placed on the machine that carries its host's label.
 * What swarm cannot express is left out: `pid: host` (the exporters then see only their own
 * machine's, or container's, processes) and container names (swarm names the tasks). Grafana, whose
 * image needs a registry, is not part of the stack.
 */

/** The stack's name in `docker stack deploy`: swarm prefixes every service with it. */
export const STACK_NAME = 'energysale';

/** The committed stack file, for the default model. */
export const stackPath = resolve(__dirname, '..', '..', '..', '..', 'deploy', 'swarm', 'energysale-stack.yaml');

/** The deployment cannot be written as a swarm stack (a node without a host, a name swarm refuses). */
export class StackError extends Error {
  override readonly name = 'StackError';
}

/**
 * The swarm node label of a host of the model. One label per host, rather than one `host=` label,
 * so a machine can carry several hosts: all four on a single-node swarm (the default model's
 * loopback addresses), one each on four machines.
 */
export function hostLabel(host: string): string {
  return `energysale.${host}`;
}

/** The placement constraint of a host's services. */
export function placementConstraint(host: string): string {
  return `node.labels.${hostLabel(host)} == true`;
}

// swarmkit's rule for service names (manager/controlapi/common.go, validateAnnotations): a DNS
// label, so no dots, and at most 63 characters including the stack's prefix. `docker stack config`
// does not apply it; the engine would refuse the deploy.
const SWARM_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/** A node's service name: its id with the dots swarm refuses made dashes (the id stays in the labels). */
export function serviceName(nodeId: string): string {
  const name = nodeId.replace(/\./g, '-');
  const full = `${STACK_NAME}_${name}`;
  if (!SWARM_NAME.test(full) || full.length > 63) throw new StackError(`swarm refuses the service name ${full} (node ${nodeId}): a DNS label of at most 63 characters`);
  return name;
}

const UNSET_HINT = 'export it: the same path on every machine, see deploy/swarm/README.md';

function service(plan: ContainerPlan, first: boolean): Record<string, unknown> {
  const host = plan.labels[LABEL.host];
  if (host === undefined) throw new StackError(`${plan.name} has no host in the model: swarm cannot place it`);
  return {
    image: plan.image,
    labels: plan.labels,
    networks: ['hostnet'],
    volumes: volumeEntries(plan, first ? UNSET_HINT : undefined),
    entrypoint: ['/bin/sh'],
    command: [plan.script],
    ...(plan.health === undefined ? {} : { healthcheck: healthcheck(plan.health) }),
    deploy: {
      replicas: 1,
      placement: { constraints: [placementConstraint(host)] },
      restart_policy: { condition: 'on-failure' },
      // A copy: the same object twice would be written as a YAML anchor and alias.
      labels: { ...plan.labels },
    },
  };
}

/** The stack file's text for a topology (a variant with the machines' real addresses generates its own). */
export function stackFile(topology: Topology): string {
  const services: Record<string, unknown> = {};
  variablePlans(topology).forEach((plan, i) => {
    const name = serviceName(plan.name);
    if (name in services) throw new StackError(`two nodes share the service name ${name}`);
    services[name] = service(plan, i === 0);
  });
  const header = [
    '# Generated from the topology model (network/src/runtime/docker/stack.ts): `npm run network -- stack --write`. Do not edit.',
    '# A docker swarm stack of the containers of docker-compose.yaml, each service placed on the machine labelled with',
    '# its host (docker node update --label-add energysale.vm1=true <node>), on the host network, running the launch',
    '# scripts of a state made by `network up --runtime docker`. Steps: deploy/swarm/README.md. No `pid: host` in swarm.',
    '',
  ].join('\n');
  // The engine's host network, joined by name: each node binds its host's address, as natively.
  const networks = { hostnet: { external: true, name: 'host' } };
  return header + stringify({ version: '3.9', services, networks }, { lineWidth: 0 });
}
