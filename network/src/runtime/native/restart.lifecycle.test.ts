import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';

import { userChaincodeServers } from '../../chaincode/user';
import { Actor } from '../../testing/actors';
import { sharedNetwork, topology } from '../../testing/live';
import { locateToolchain } from '../../toolchain';
import { allNodes, boundEndpoints, certificateAuthorities } from '../../topology';
import { chaincodeWorkspace } from '../../util/paths';
import { mentionsPath } from '../../state/leftovers';
import { listProcesses } from '../../util/proc';
import { hostCgroupPath } from './host-cgroup';
import { NativeNetwork, StaleStateError } from './network';
import { PortInUseError, splitEndpoint } from './supervisor';

const network = sharedNetwork();
const quiet = (): void => undefined;

/**
 * Processes of this network: a toolchain binary or our chaincode server that names this network's
 * state (command line or environment) or runs in one of its hosts' cgroups. Another network of the
 * model running beside (a user's, on other addresses) is not this one.
 */
async function networkProcesses(): Promise<string[]> {
  const binDir = (await locateToolchain()).binDir;
  const cgroups = new Set(topology.hosts.map((h) => `/${hostCgroupPath(h.address)}`));
  const found: string[] = [];
  for (const p of listProcesses()) {
    let exe = '';
    try {
      exe = readlinkSync(`/proc/${String(p.pid)}/exe`);
    } catch {
      continue; // ended while we looked
    }
    const cmdline = p.cmdline.join(' ');
    const fabric =
      exe.startsWith(binDir) ||
      exe.startsWith(network.layout.chaincodeBuildsDir) ||
      (cmdline.includes('fabric-shim') && (cmdline.includes(chaincodeWorkspace) || cmdline.includes(network.layout.chaincodeBuildsDir)));
    const ours = mentionsPath([...p.cmdline, ...p.environ], network.layout.root) || (p.cgroup !== undefined && cgroups.has(p.cgroup));
    if (fabric && ours) found.push(`${String(p.pid)} ${cmdline}`);
  }
  return found;
}

async function listening(): Promise<string[]> {
  const busy: string[] = [];
  for (const { endpoint } of boundEndpoints(topology)) {
    const [host, port] = splitEndpoint(endpoint);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => { resolve(false); });
      server.listen({ host, port, exclusive: true }, () => server.close(() => { resolve(true); }));
    });
    if (!free) busy.push(endpoint);
  }
  return busy;
}

/** One call as `user`, over a connection opened for it. */
async function call(mode: 'submit' | 'evaluate', user: { org: string; user: string }, contract: string, fn: string, ...args: string[]): Promise<string> {
  const actor = Actor.connect(topology, network.layout, user.org, user.user);
  try {
    return mode === 'submit' ? await actor.submit(contract, fn, args) : await actor.evaluate(contract, fn, args);
  } finally {
    actor.close();
  }
}

void describe('network down and up again (live; runs last, after the shared-network tests)', { timeout: 600_000 }, () => {
  const template = JSON.stringify({
    id: `restart-${Date.now().toString(36)}`,
    name: 'survives a restart',
    region: 'Anhui',
    marketStage: 'annual',
    targetUserType: 'industrial',
    priceTerms: { model: 'time-of-use', peak: '520.00', flat: '410.00', valley: '300.00' },
    validFrom: '2026-01-01',
    validTo: '2027-01-01',
  });
  const templateId = (JSON.parse(template) as { id: string }).id;

  void it('down stops every process of the network and frees every port of the model', async () => {
    await call('submit', { org: 'exchange', user: 'exchange1' }, 'packages', 'CreatePackageTemplate', template);
    // The servers of the chaincodes deployed beside ours (the open-network test's) are the network's too.
    const userServers = (await userChaincodeServers(await network.context())).map((s) => s.id);
    const stopped = await network.down();
    // Every node of the model, and whatever ran beside it (service tier, monitoring), nothing else.
    const nodes = [...allNodes(topology).map((n) => n.id), ...userServers];
    assert.deepEqual(stopped.filter((r) => nodes.includes(r.id)).map((r) => r.id).sort(), [...nodes].sort());
    assert.deepEqual(stopped.filter((r) => !nodes.includes(r.id) && !['service', 'lb', 'monitor'].includes(r.kind)), []);
    assert.deepEqual(await networkProcesses(), []);
    assert.deepEqual(await listening(), []);
    assert.deepEqual(await network.supervisor.records(), []);
  });

  void it('up refuses state made from another topology, and starts nothing', async () => {
    const other = new NativeNetwork({ ...topology, channel: { ...topology.channel, name: 'otherchannel' } }, network.layout);
    await assert.rejects(other.up(quiet), StaleStateError);
    assert.deepEqual(await networkProcesses(), []);
  });

  void it('up names the node and the port when a port of the model is taken', async () => {
    const [ca] = certificateAuthorities(topology);
    assert.ok(ca);
    const [host, port] = splitEndpoint(ca.endpoint);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, host, resolve));
    try {
      await assert.rejects(network.up(quiet), (error: unknown) => {
        assert.ok(error instanceof PortInUseError, String(error));
        assert.equal(error.node, ca.id);
        assert.equal(error.endpoint, ca.endpoint);
        assert.match(error.message, new RegExp(`${ca.id}: ${ca.endpoint.replace(/\./g, '\\.')} \\(CA\\) is already in use`));
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => { resolve(); }));
      await network.down();
    }
  });

  void it('a second up restarts the same network, with its ledger, and it transacts', async () => {
    await network.up(quiet);
    const nodes = await network.status();
    assert.deepEqual(nodes.filter((n) => !n.healthy).map((n) => n.id), []);
    const read = JSON.parse(await call('evaluate', { org: 'exchange', user: 'regulator1' }, 'packages', 'ReadPackageTemplate', templateId)) as { id: string };
    assert.equal(read.id, templateId);
    const record = JSON.parse(await call('submit', { org: 'retailer', user: 'retailer1' }, 'participants', 'RegisterParticipant')) as { mspId: string };
    assert.equal(record.mspId, 'RetailerOrgMSP');
  });
});
