import { TopologyError, validateTopology } from './derive';
import type { Topology } from './types';

/*
 * The hosts' addresses are a setting of the model: every other field stays as the model says, and
 * each host may be given another loopback address. Two networks of the model then run side by side
 * on one machine without sharing a port (a user's network and the test suite's, say). A state
 * records the addresses it was made with; a new state takes them from ENERGYSALE_HOSTS.
 */

/** The environment variable that gives a new state its hosts' addresses. */
export const HOSTS_VARIABLE = 'ENERGYSALE_HOSTS';

/** Host name -> address. */
export type HostAddresses = Readonly<Record<string, string>>;

/** The addresses the topology gives its hosts. */
export function hostAddresses(topology: Topology): HostAddresses {
  return Object.fromEntries(topology.hosts.map((h) => [h.name, h.address]));
}

/** The topology with its hosts at these addresses (hosts not named keep theirs); validated. */
export function withHostAddresses(topology: Topology, addresses: HostAddresses): Topology {
  const unknown = Object.keys(addresses).filter((name) => !topology.hosts.some((h) => h.name === name));
  if (unknown.length > 0) throw new TopologyError(`no host ${unknown.join(', ')} in the model (hosts: ${topology.hosts.map((h) => h.name).join(', ')})`);
  const moved: Topology = { ...topology, hosts: topology.hosts.map((h) => ({ ...h, address: addresses[h.name] ?? h.address })) };
  validateTopology(moved);
  return moved;
}

/**
 * Reads a hosts setting: either a prefix of three octets (`127.20.0`: the n-th host of the model
 * at `127.20.0.n`), or `name=address` pairs separated by commas (`vm1=127.20.0.1,vm2=127.20.0.2`).
 */
export function parseHostAddresses(value: string, topology: Topology): HostAddresses {
  const text = value.trim();
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(text)) {
    return Object.fromEntries(topology.hosts.map((h, i) => [h.name, `${text}.${String(i + 1)}`]));
  }
  const pairs = text.split(',').map((pair) => pair.trim().split('='));
  if (text === '' || pairs.some((p) => p.length !== 2 || !p[0] || !p[1])) {
    throw new TopologyError(`${HOSTS_VARIABLE}="${value}": expected a prefix such as 127.20.0, or name=address pairs such as vm1=127.20.0.1,vm2=127.20.0.2`);
  }
  return Object.fromEntries(pairs.map(([name, address]) => [name as string, address as string]));
}

/** The addresses ENERGYSALE_HOSTS gives, or undefined when it is not set. */
export function addressesFromEnv(topology: Topology, env: NodeJS.ProcessEnv = process.env): HostAddresses | undefined {
  const value = env[HOSTS_VARIABLE];
  return value === undefined || value === '' ? undefined : parseHostAddresses(value, topology);
}

/** Whether two settings place every host alike. */
export function sameAddresses(a: HostAddresses, b: HostAddresses): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => a[name] === b[name]);
}
