import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { allNodes, energysale, monitoring, peers } from '../../topology';
import { composeEnv, composeFile, composePath, deploymentContainers } from './compose';
import { LABEL } from './container';

interface ComposeService {
  image: string;
  container_name: string;
  network_mode: string;
  labels: Record<string, string>;
  command: string[];
  profiles?: string[];
}

const services = (): Record<string, ComposeService> => (parse(composeFile(energysale)) as { services: Record<string, ComposeService> }).services;

void describe('docker-compose.yaml', () => {
  void it('is the committed file (regenerate: npm run network -- compose --write)', async () => {
    assert.equal(await readFile(composePath, 'utf8'), composeFile(energysale), 'docker-compose.yaml is out of date');
  });

  void it("has every node of the model, the service tier and monitoring, named as the model's nodes and labelled with their host (VM)", () => {
    const all = services();
    for (const node of allNodes(energysale)) {
      const s = all[node.id];
      assert.ok(s, `no service ${node.id}`);
      assert.equal(s.container_name, node.id);
      assert.equal(s.network_mode, 'host');
      assert.equal(s.labels[LABEL.host], node.host.name);
      assert.equal(s.labels[LABEL.address], node.host.address);
    }
    assert.equal(Object.keys(all).length, deploymentContainers(energysale).length + 1);
    const hosts = new Set(Object.values(all).map((s) => s.labels[LABEL.host]));
    assert.deepEqual([...hosts].sort(), energysale.hosts.map((h) => h.name).sort());
  });

  void it('runs the launch script the docker runtime writes, in the local image of each role unless overridden', () => {
    const [first] = peers(energysale);
    assert.ok(first);
    const peer = services()[first.id];
    assert.ok(peer);
    assert.deepEqual(peer.command, [`\${ENERGYSALE_STATE}/containers/${first.id}.sh`]);
    assert.equal(peer.image, '${ENERGYSALE_IMAGE_FABRIC_PEER:-energysale/fabric-peer:2.5.9}');
  });

  void it('keeps Grafana in its own profile, with the provisioned dashboards mounted', () => {
    const grafana = services()[monitoring(energysale).grafana.id];
    assert.deepEqual(grafana?.profiles, ['grafana']);
  });

  void it('is a file docker-compose accepts (docker-compose config), every profile included', async () => {
    const env = { ...process.env, ...composeEnv('/state', '/repo', '/cache') };
    const { stdout } = await promisify(execFile)('docker-compose', ['--file', composePath, '--profile', 'grafana', 'config', '--services'], { env });
    assert.equal(stdout.trim().split('\n').length, deploymentContainers(energysale).length + 1);
  });
});
