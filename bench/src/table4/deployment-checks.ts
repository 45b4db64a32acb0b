import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { CONTAINER_LABEL, ledgerHeight, peers, type StateLayout, type Topology } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { prepare } from './prepare';

/*
 * What the deployment tests (compose under testcontainers, the swarm stack) check of a network they
 * brought up from the docker runtime's state: its ledgers are that network's, and an order goes in
 * and comes back out through nginx and a service instance.
 */

const run = promisify(execFile);

/** Each peer's height of the channel (undefined: the peer did not answer). */
export async function ledgerHeights(topology: Topology): Promise<(number | undefined)[]> {
  return Promise.all(peers(topology).map((p) => ledgerHeight(p, topology.channel.name)));
}

/** Asserts every peer is at least as high as before: the deployment runs the state's own ledgers. */
export async function assertLedgersKept(topology: Topology, before: readonly (number | undefined)[]): Promise<void> {
  (await ledgerHeights(topology)).forEach((h, i) => {
    assert.ok((h ?? 0) >= (before[i] ?? Number.POSITIVE_INFINITY), `${peers(topology)[i]?.id ?? ''}: height ${String(h)} < ${String(before[i])}`);
  });
}

/** Containers of ours (any runtime or deployment: they carry the node label), by name. */
export async function ourContainers(): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '--all', '--filter', `label=${CONTAINER_LABEL.node}`, '--format', '{{.Names}}']);
  return stdout.split('\n').filter((line) => line !== '');
}

/** A user submits an order through the tier at `url` (nginx) and reads it back. */
export async function assertOrderRoundTrip(topology: Topology, layout: StateLayout, url: string): Promise<void> {
  const fixture = await prepare(topology, layout, new TokenIssuer(layout), url, { users: 1, preloadOrdersPerUser: 1, log: () => undefined });
  const [user] = fixture.users;
  const [id] = fixture.preloaded[0] ?? [];
  assert.ok(user && id, 'no order was written');
  const response = await fetch(`${url}/orders/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${user.token}` }, signal: AbortSignal.timeout(30_000) });
  assert.equal(response.status, 200);
  const order = (await response.json()) as { id: string; seller: { handle: string } };
  assert.equal(order.id, id);
  assert.equal(order.seller.handle, fixture.seller);
}
