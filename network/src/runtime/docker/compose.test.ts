import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { allNodes, energysale, monitoring, peers } from '../../topology';
import { COMPOSE_PROFILE, composeEnv, composeFile, composePath, COUCHDB_VARIABLES, deploymentContainers } from './compose';
import { LABEL } from './container';

interface ComposeService {
  image: string;
  container_name: string;
  network_mode: string;
  labels: Record<string, string>;
  command: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: (string | { host_ip?: string; published: number | string; target: number })[];
  healthcheck?: { test: string[] };
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
    assert.equal(Object.keys(all).length, deploymentContainers(energysale).length + 1 + peers(energysale).length);
    const hosts = new Set(Object.values(all).map((s) => s.labels[LABEL.host]));
    assert.deepEqual([...hosts].sort(), energysale.hosts.map((h) => h.name).sort());
  });

  void it('runs the launch script the docker runtime writes, in the local image of each role unless overridden', () => {
    const [first] = peers(energysale);
    assert.ok(first);
    const peer = services()[first.id];
    assert.ok(peer);
    assert.deepEqual(peer.command, [`\${ENERGYSALE_STATE}/containers/${first.id}.sh`]);
    assert.equal(peer.image, '${ENERGYSALE_IMAGE_FABRIC_PEER:-hyperledger/fabric-peer:2.5.9}', 'the official image by default');
  });

  void it('takes the local images (or any prefix\'s) from the variables composeEnv sets', async () => {
    const [first] = peers(energysale);
    assert.ok(first);
    const images = async (env: Record<string, string>): Promise<string | undefined> => {
      const { stdout } = await promisify(execFile)('docker-compose', ['--file', composePath, 'config'], { env: { ...process.env, ...env } });
      return (parse(stdout) as { services: Record<string, ComposeService> }).services[first.id]?.image;
    };
    assert.equal(await images(composeEnv('/state', '/repo', '/cache')), 'energysale/fabric-peer:2.5.9');
    assert.equal(await images(composeEnv('/state', '/repo', '/cache', 'registry.example/mirror/')), 'registry.example/mirror/fabric-peer:2.5.9');
  });

  void it('keeps Grafana in its own profile, with the provisioned dashboards mounted', () => {
    const grafana = services()[monitoring(energysale).grafana.id];
    assert.deepEqual(grafana?.profiles, ['grafana']);
  });

  void it("gives every container the model's health check of its node", () => {
    const all = services();
    for (const c of deploymentContainers(energysale)) {
      const test = all[c.id]?.healthcheck?.test.join(' ') ?? '';
      assert.ok(c.health, `${c.id} has no health check in the model`);
      const [address, port] = c.health.kind === 'http' ? [new URL(c.health.url).hostname, new URL(c.health.url).port] : c.health.endpoint.split(':');
      assert.ok(test.includes(String(address)) && test.includes(String(port)), `${c.id}: healthcheck ${test} is not ${JSON.stringify(c.health)}`);
    }
  });

  const config = async (profiles: readonly string[], extra: Record<string, string> = {}): Promise<{ services: Record<string, ComposeService> }> => {
    const env = { ...process.env, ...composeEnv('/state', '/repo', '/cache'), ...extra };
    const args = ['--file', composePath, ...profiles.flatMap((p) => ['--profile', p]), 'config'];
    return parse((await promisify(execFile)('docker-compose', args, { env })).stdout) as { services: Record<string, ComposeService> };
  };

  void it('is a file docker-compose accepts (docker-compose config): LevelDB and no extras by default, the rest in their profiles', async () => {
    const plain = await config([]);
    // docker-compose 1.x lists every service in `config`, profiles kept; `up` starts those without one.
    const byDefault = Object.values(plain.services).filter((s) => s.profiles === undefined);
    assert.equal(byDefault.length, deploymentContainers(energysale).length);
    for (const p of peers(energysale)) assert.equal(plain.services[p.id]?.environment?.CORE_LEDGER_STATE_STATEDATABASE, 'goleveldb');
    const profiled = Object.values(plain.services).flatMap((s) => s.profiles ?? []);
    assert.deepEqual(profiled.sort(), [COMPOSE_PROFILE.grafana, ...peers(energysale).map(() => COMPOSE_PROFILE.couchdb)].sort());
  });

  void it("adds Table 2's seven CouchDB state databases in the couchdb profile, each published on its peer's host and the peer pointed at it", async () => {
    const resolved = await config([COMPOSE_PROFILE.couchdb], { [COUCHDB_VARIABLES.stateDatabase]: 'CouchDB' });
    const couchdbs = Object.values(resolved.services).filter((s) => s.labels[LABEL.kind] === 'couchdb');
    assert.equal(couchdbs.length, 7);
    for (const p of peers(energysale)) {
      assert.equal(resolved.services[p.id]?.environment?.CORE_LEDGER_STATE_STATEDATABASE, 'CouchDB');
      const db = resolved.services[p.couchdb.id];
      assert.ok(db, `no ${p.couchdb.id}`);
      assert.equal(db.labels[LABEL.host], p.host.name);
      assert.equal(db.labels['com.energysale.peer'], p.id);
      const [published] = db.ports ?? [];
      const mapping = typeof published === 'string' ? published : `${published?.host_ip ?? ''}:${String(published?.published)}:${String(published?.target)}`;
      const [address, port] = p.couchdb.endpoint.split(':');
      assert.equal(mapping.replace(/\/tcp$/, ''), `${String(address)}:${String(port)}:${String(port)}`);
      assert.equal(db.network_mode, undefined, 'CouchDB is on the project bridge, not the host network');
    }
  });
});
