import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { runCliScript, type CliRun } from '../testing/cli';
import { sharedNetwork, topology } from '../testing/live';
import { connectFromProfile } from '../testing/profile-client';
import { auditTls, http2Probe, type TlsProbe } from '../testing/tls-probe';
import { chaincodeServers, clientAuthOf, peers } from '../topology';
import { repoRoot } from '../util/paths';
import type { ChaincodeEntry } from './inventory';

/*
 * The network as a new user meets it with their own chaincode and clients (issue 27): a chaincode
 * written for Fabric's test network deployed with one command, then called through Fabric's peer CLI
 * after `network env`, a fabric-gateway client configured from `network profile` alone, and stock
 * Caliper with client authentication optional; a Go chaincode the same way; all of it still serving
 * after down and up. Every step is a command of the CLIs, as the user types it. Lifecycle: it
 * restarts the shared network (and leaves it up, client authentication required, as it found it).
 */

const network = sharedNetwork();
const NETWORK_CLI = join(repoRoot, 'network', 'dist', 'cli', 'main.js');
const BENCH_CLI = join(repoRoot, 'bench', 'dist', 'cli.js');
const channel = topology.channel.name;

async function cli(script: string, args: readonly string[], timeoutMs = 600_000): Promise<CliRun> {
  const result = await runCliScript(script, args, { timeoutMs });
  assert.equal(result.code, 0, `${args.join(' ')} exited ${String(result.code)}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  return result;
}
const networkCli = (...args: string[]): Promise<CliRun> => cli(NETWORK_CLI, args);

/** Runs a bash script after `eval "$(network env --org O --user U)"`, as the README tells a user to. */
function withEnv(org: string, user: string, script: string): Promise<{ code: number | null; out: string }> {
  const line = `set -e; eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(NETWORK_CLI)} env --org ${org} --user ${user})"; ${script}`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** A peer CLI invoke endorsed by the exchange's first peer and the caller's own (the channel's default policy: a majority of the orgs). */
function invoke(org: string, user: string, chaincode: string, args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const exchange = peers(topology).find((p) => p.org.key === 'exchange');
  assert.ok(exchange);
  const ctor = JSON.stringify({ Args: args });
  return withEnv(
    org,
    user,
    `peer chaincode invoke $ORDERER_ARGS -C ${channel} -n ${chaincode} -c '${ctor}' ` +
      `--peerAddresses ${exchange.endpoint} --tlsRootCertFiles ${network.layout.caCert('exchange')} ` +
      '--peerAddresses "$CORE_PEER_ADDRESS" --tlsRootCertFiles "$CORE_PEER_TLS_ROOTCERT_FILE" --waitForEvent',
  );
}

function query(org: string, user: string, chaincode: string, args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return withEnv(org, user, `peer chaincode query -C ${channel} -n ${chaincode} -c '${JSON.stringify({ Args: args })}'`);
}

async function chaincodes(): Promise<ChaincodeEntry[]> {
  return JSON.parse((await networkCli('chaincodes', '--json')).stdout) as ChaincodeEntry[];
}

/** A copy of a test chaincode in a folder of the user's (the repository's copy stays as it is). */
function userCopy(name: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'user-chaincode-')), name);
  cpSync(join(repoRoot, 'network', 'testdata', 'chaincode', name), dir, { recursive: true });
  return dir;
}

void describe('an open network: your own chaincode and clients (lifecycle; restarts the shared network)', { timeout: 1_800_000 }, () => {
  const run = Date.now().toString(36);
  const nodeChaincode = userCopy('asset-transfer-js');
  const goChaincode = userCopy('asset-transfer-go');
  const shimChaincode = userCopy('counter-shim-ts');
  const servers = peers(topology).reduce((hosts, p) => hosts.add(p.host.name), new Set<string>()).size;

  void it('deploys a Node chaincode written for Fabric\'s test network with one command, its servers supervised', async () => {
    assert.equal(clientAuthOf(topology), 'required');
    await networkCli('deploy', '--name', 'basic', '--path', nodeChaincode);
    const basic = (await chaincodes()).find((c) => c.name === 'basic');
    assert.ok(basic, 'basic is committed');
    assert.equal(basic.origin, 'node');
    assert.equal(basic.servers.length, servers);
    assert.ok(basic.servers.every((s) => s.healthy), JSON.stringify(basic.servers));
    const status = await runCliScript(NETWORK_CLI, ['status']);
    assert.equal(status.code, 0, status.stdout);
    assert.equal(status.stdout.split('\n').filter((l) => /^healthy\s+chaincode\s+basic\./.test(l)).length, servers);
    // The same again changes nothing.
    assert.match((await networkCli('deploy', '--name', 'basic', '--path', nodeChaincode)).stdout, /sequence 1 \(unchanged\)/);
  });

  void it("is invoked and queried with Fabric's peer CLI after `network env`", async () => {
    const created = await invoke('consumer', 'consumer1', 'basic', ['CreateAsset', `cli-${run}`, 'green', '3', 'Ann', '10']);
    assert.equal(created.code, 0, created.out);
    assert.match(created.out, /committed with status \(VALID\)/);
    const read = await query('retailer', 'retailer1', 'basic', ['ReadAsset', `cli-${run}`]);
    assert.equal(read.code, 0, read.out);
    assert.equal((JSON.parse(read.out.trim().split('\n').at(-1) ?? '') as { Owner: string }).Owner, 'Ann');
  });

  void it('is called by a fabric-gateway client configured only from `network profile`', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'profile-')), 'connection-consumer.json');
    await networkCli('profile', '--org', 'consumer', '--out', file);
    const client = connectFromProfile(file, 'consumer1');
    try {
      const contract = client.gateway.getNetwork(client.channel).getContract('basic');
      await contract.submitTransaction('CreateAsset', `gw-${run}`, 'red', '1', 'Bo', '5');
      assert.equal((JSON.parse(Buffer.from(await contract.evaluateTransaction('ReadAsset', `cli-${run}`)).toString()) as { Color: string }).Color, 'green');
    } finally {
      client.close();
    }
  });

  void it('with `up --client-auth optional`, certificate-less clients reach peers and orderers, never chaincode servers, Raft or osnadmin', async () => {
    await networkCli('up', '--client-auth', 'optional');
    const optional = (await network.readStatus())?.clientAuth;
    assert.equal(optional, 'optional');
    const probes = await auditTls({ ...topology, clientAuth: 'optional' }, network.layout);
    const noCert = (kinds: readonly TlsProbe['kind'][]): string[] => probes.filter((p) => kinds.includes(p.kind) && p.client === 'no client certificate').map((p) => p.outcome);
    assert.deepEqual(probes.filter((p) => p.outcome !== p.expected), []);
    assert.ok(noCert(['peer', 'orderer']).length > 0 && noCert(['peer', 'orderer']).every((o) => o === 'accepted'));
    for (const kind of ['chaincode', 'orderer cluster', 'orderer admin'] as const) {
      assert.ok(noCert([kind]).length > 0 && noCert([kind]).every((o) => o === 'refused'), kind);
    }
    // The user's chaincode servers too: only their own org's peers.
    const basic = (await chaincodes()).find((c) => c.name === 'basic');
    assert.ok(basic);
    for (const server of basic.servers) {
      // The host's chaincode server identity serves every chaincode server of that host.
      const own = chaincodeServers(topology).find((s) => server.endpoint.startsWith(`${s.host.address}:`));
      assert.ok(own);
      assert.equal(await http2Probe(server.endpoint, { ca: readFileSync(network.layout.caCert(own.org.key)), servername: own.id }), 'refused', server.id);
    }
  });

  void it("runs a Caliper benchmark written for the test network with Caliper's stock connector", async () => {
    const reports = mkdtempSync(join(tmpdir(), 'caliper-user-'));
    const result = await cli(BENCH_CLI, ['caliper', '--benchconfig', join(repoRoot, 'bench', 'fixtures', 'caliper-assets', 'benchconfig.yaml'), '--reports', reports]);
    assert.match(result.stdout, /Caliper's stock connector/);
    assert.match(result.stdout, /create-asset\s+30\s+0\s/);
    assert.match(result.stdout, /read-asset\s+30\s+0\s/);
  });

  void it('is called by a client that presents no certificate, from a profile that names none', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'profile-')), 'connection-retailer.json');
    await networkCli('profile', '--org', 'retailer', '--out', file);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { client: { tlsCerts?: unknown } }).client.tlsCerts, undefined);
    const client = connectFromProfile(file, 'retailer1');
    try {
      const asset = JSON.parse(Buffer.from(await client.gateway.getNetwork(client.channel).getContract('basic').evaluateTransaction('ReadAsset', `gw-${run}`)).toString()) as { Owner: string };
      assert.equal(asset.Owner, 'Bo');
    } finally {
      client.close();
    }
  });

  void it('deploys a Go chaincode the same way, with its own policy', async () => {
    await networkCli('deploy', '--name', 'assetgo', '--path', goChaincode, '--policy', "OR('ConsumerOrgMSP.peer','RetailerOrgMSP.peer')");
    const assetgo = (await chaincodes()).find((c) => c.name === 'assetgo');
    assert.ok(assetgo);
    assert.equal(assetgo.origin, 'go');
    assert.ok(assetgo.servers.every((s) => s.healthy), JSON.stringify(assetgo.servers));
    const created = await withEnv('retailer', 'retailer1', `peer chaincode invoke $ORDERER_ARGS -C ${channel} -n assetgo -c '${JSON.stringify({ Args: ['CreateAsset', `go-${run}`, 'blue', 'Cy'] })}' --waitForEvent`);
    assert.equal(created.code, 0, created.out);
    const read = await query('consumer', 'consumer1', 'assetgo', ['ReadAsset', `go-${run}`]);
    assert.equal(read.code, 0, read.out);
    assert.match(read.out, /"Owner":"Cy"/);
  });

  void it("deploys a TypeScript chaincode on fabric-shim's low-level API, built by its own build script, initialised with --init", async () => {
    await networkCli('deploy', '--name', 'counter', '--path', shimChaincode, '--init', 'Init');
    const counter = (await chaincodes()).find((c) => c.name === 'counter');
    assert.ok(counter?.initRequired, JSON.stringify(counter));
    assert.equal(counter.version, '0.3.0', "package.json's version");
    const added = await invoke('consumer', 'consumer1', 'counter', ['Add', '5']);
    assert.equal(added.code, 0, added.out);
    const read = await query('retailer', 'retailer1', 'counter', ['Get']);
    assert.equal(read.out.trim().split('\n').at(-1), '5', read.out);
  });

  void it('after down and up (client authentication required again) all still serve, their ledgers kept', async () => {
    await networkCli('down');
    const stopped = await chaincodes().catch(() => undefined);
    assert.equal(stopped, undefined, 'nothing answers while the network is down');
    await networkCli('up', '--client-auth', 'required');
    assert.equal((await network.readStatus())?.clientAuth, 'required');
    for (const c of await chaincodes()) assert.ok(c.servers.every((s) => s.healthy), `${c.name}: ${JSON.stringify(c.servers)}`);
    const js = await query('consumer', 'consumer1', 'basic', ['ReadAsset', `gw-${run}`]);
    assert.equal(js.code, 0, js.out);
    const go = await query('consumer', 'consumer1', 'assetgo', ['ReadAsset', `go-${run}`]);
    assert.equal(go.code, 0, go.out);
    assert.equal((await query('consumer', 'consumer1', 'counter', ['Get'])).out.trim().split('\n').at(-1), '5');
  });

  void it('a changed build is an upgrade: sequence + 1, the new function served', async () => {
    const contract = join(nodeChaincode, 'lib', 'assetTransfer.js');
    writeFileSync(
      contract,
      readFileSync(contract, 'utf8').replace('    async AssetExists(ctx, id) {', '    async CountAssets(ctx) {\n        return JSON.parse(await this.GetAllAssets(ctx)).length;\n    }\n\n    async AssetExists(ctx, id) {'),
    );
    await networkCli('deploy', '--name', 'basic', '--path', nodeChaincode);
    const basic = (await chaincodes()).find((c) => c.name === 'basic');
    assert.equal(basic?.sequence, 2);
    const count = await query('exchange', 'exchange1', 'basic', ['CountAssets']);
    assert.equal(count.code, 0, count.out);
    assert.ok(Number(count.out.trim().split('\n').at(-1)) >= 2, count.out);
  });
});
