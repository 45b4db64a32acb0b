import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { allNodes, energysale, peers, type Topology } from '../../topology';
import { composeEnv, deploymentContainers } from './compose';
import { LABEL } from './container';
import { placementConstraint, serviceName, stackFile, stackPath, StackError } from './stack';

interface StackService {
  image: string;
  labels: Record<string, string>;
  networks: string[];
  volumes: string[];
  command: string[];
  deploy: { placement: { constraints: string[] }; restart_policy: { condition: string }; labels: Record<string, string> };
  pid?: string;
}

interface Stack {
  services: Record<string, StackService>;
  networks: Record<string, { external?: boolean; name?: string }>;
}

const stackOf = (topology: Topology): Stack => parse(stackFile(topology)) as Stack;

/** The default model with each host on a real machine's address (a user's variant). */
const onMachines: Topology = { ...energysale, hosts: energysale.hosts.map((h, i) => ({ ...h, address: `192.168.50.${String(11 + i)}` })) };

const run = promisify(execFile);

const NO_STACK_CONFIG = 'this docker CLI has no `stack config` (Debian 20.10 lacks it; docker 28 has it)';

void describe('the docker swarm stack', () => {
  void it('is the committed file (regenerate: npm run network -- stack --write)', async () => {
    assert.equal(await readFile(stackPath, 'utf8'), stackFile(energysale), 'deploy/swarm/energysale-stack.yaml is out of date');
  });

  void it("places every container of the deployment on its host's machine, on the host network, labelled with its node", () => {
    const { services, networks } = stackOf(energysale);
    assert.equal(Object.keys(services).length, deploymentContainers(energysale).length);
    for (const node of allNodes(energysale)) {
      const s = services[serviceName(node.id)];
      assert.ok(s, `no service for ${node.id}`);
      assert.deepEqual(s.deploy.placement.constraints, [placementConstraint(node.host.name)]);
      assert.equal(s.deploy.labels[LABEL.node], node.id);
      assert.equal(s.labels[LABEL.host], node.host.name);
      assert.deepEqual(s.networks, ['hostnet']);
      assert.deepEqual(s.command, [`\${ENERGYSALE_STATE}/containers/${node.id}.sh`]);
      assert.equal(s.deploy.restart_policy.condition, 'on-failure');
    }
    assert.deepEqual(networks.hostnet, { external: true, name: 'host' });
    const hosts = new Set(Object.values(services).map((s) => s.labels[LABEL.host]));
    assert.deepEqual([...hosts].sort(), energysale.hosts.map((h) => h.name).sort());
    assert.ok(Object.values(services).every((s) => s.pid === undefined), 'swarm has no pid: host');
  });

  void it('names services as swarm allows: no dots, DNS labels', () => {
    assert.equal(serviceName('node0.org.example.com'), 'node0-org-example-com');
    assert.throws(() => serviceName(`peer0.${'x'.repeat(60)}.com`), StackError);
  });

  void it("follows a variant of the model: the machines' addresses in the labels, the same placement", () => {
    const variant = stackOf(onMachines).services;
    const original = stackOf(energysale).services;
    for (const node of allNodes(onMachines)) {
      const s = variant[serviceName(node.id)];
      assert.ok(s);
      assert.match(node.host.address, /^192\.168\.50\./);
      assert.equal(s.labels[LABEL.address], node.host.address);
      assert.equal(s.deploy.labels[LABEL.address], node.host.address);
      assert.deepEqual(s.deploy.placement, original[serviceName(node.id)]?.deploy.placement);
    }
    assert.notEqual(stackFile(onMachines), stackFile(energysale));
  });

  void describe('docker stack config (the engine tooling, client-side: no swarm needed)', () => {
    let dir = '';
    let file = '';
    let hasStackConfig = false;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'energysale-stack-'));
      file = join(dir, 'stack.yaml');
      await writeFile(file, stackFile(onMachines));
      // Debian's docker CLI (20.10) has no `stack config`; newer ones (docker 28 here) have.
      // An old CLI answers `stack config --help` with the help of `stack`, exit 0.
      hasStackConfig = await run('docker', ['stack', 'config', '--help']).then(
        ({ stdout }) => stdout.includes('docker stack config'),
        () => false,
      );
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    void it('accepts the generated file and lists every service, the paths interpolated', async () => {
      assert.ok(hasStackConfig, NO_STACK_CONFIG);
      const env = { ...process.env, ...composeEnv('/srv/energysale/state', '/srv/energysale/repo', '/srv/energysale/cache') };
      const { stdout } = await run('docker', ['stack', 'config', '--compose-file', file], { env });
      const merged = parse(stdout) as Stack;
      assert.deepEqual(Object.keys(merged.services).sort(), deploymentContainers(onMachines).map((c) => serviceName(c.id)).sort());
      const [first] = peers(onMachines);
      assert.ok(first);
      const peer = merged.services[serviceName(first.id)];
      assert.ok(peer);
      assert.deepEqual(peer.command, [`/srv/energysale/state/containers/${first.id}.sh`]);
      assert.equal(peer.labels[LABEL.address], '192.168.50.11');
    });

    void it('refuses the file while the paths are not exported', async () => {
      assert.ok(hasStackConfig, NO_STACK_CONFIG);
      const variables = Object.keys(composeEnv('', '', ''));
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !variables.includes(name)));
      // Refused, not run with empty paths; which message comes first depends on the CLI (docker 28 reports the
      // emptied `::ro` volume specs before the required variable's hint).
      await assert.rejects(run('docker', ['stack', 'config', '--compose-file', file], { env }));
    });
  });
});
