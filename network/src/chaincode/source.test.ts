import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout } from '../state/layout';
import { energysale } from '../topology';
import { run } from '../util/exec';
import { chaincodeWorkspace } from '../util/paths';
import { connectionTemplate, packageChaincode } from './package';
import { ChaincodeSourceError, detectLanguage, serverCommand, sourceHash } from './source';
import { deployUserChaincode, UserChaincodeError } from './user';

void describe('a chaincode of the user', () => {
  void it('is Node with a package.json, Go with a go.mod, and refused otherwise with what would make it one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-'));
    assert.throws(() => detectLanguage(dir), (e: unknown) => e instanceof ChaincodeSourceError && /neither package.json .* nor go.mod/.test(e.message));
    assert.throws(() => detectLanguage(join(dir, 'missing')), /is not a directory/);
    await writeFile(join(dir, 'go.mod'), 'module x\n');
    assert.equal(detectLanguage(dir), 'go');
    await writeFile(join(dir, 'package.json'), '{}');
    assert.equal(detectLanguage(dir), 'node');
  });

  void it('is identified by its source: dependencies, build output and .git do not change the hash, a source file does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-'));
    await writeFile(join(dir, 'package.json'), '{"name":"x"}');
    await mkdir(join(dir, 'lib'));
    await writeFile(join(dir, 'lib', 'contract.js'), 'module.exports = 1;');
    const before = sourceHash(dir);
    for (const ignored of ['node_modules', 'dist', '.git']) {
      await mkdir(join(dir, ignored));
      await writeFile(join(dir, ignored, 'f.js'), 'x');
    }
    assert.equal(sourceHash(dir), before);
    await writeFile(join(dir, 'lib', 'contract.js'), 'module.exports = 2;');
    assert.notEqual(sourceHash(dir), before);
  });

  void it("runs as fabric-samples' external chaincode expects: a Go server from its environment, a Node one by fabric-shim's server command", () => {
    const tls = { address: '127.0.0.1:10000', packageId: 'a:1', key: '/k', cert: '/c', clientCa: '/ca' };
    const go = serverCommand({ language: 'go', artefact: '/builds/a-1' }, tls);
    assert.equal(go.command, '/builds/a-1');
    assert.deepEqual(
      { ...go.env },
      { CHAINCODE_SERVER_ADDRESS: '127.0.0.1:10000', CHAINCODE_ID: 'a:1', CHAINCODE_TLS_DISABLED: 'false', CHAINCODE_TLS_KEY: '/k', CHAINCODE_TLS_CERT: '/c', CHAINCODE_CLIENT_CA_CERT: '/ca' },
    );
    // A chaincode on fabric-shim's low-level API: its own fabric-shim, Shim.start made to serve, the same environment.
    const shim = serverCommand({ language: 'node', api: 'shim', artefact: chaincodeWorkspace }, tls);
    assert.match(shim.args[0] ?? '', /shim-launcher\.js$/);
    assert.equal(shim.args[1], chaincodeWorkspace);
    assert.equal(shim.env['CHAINCODE_ID'], 'a:1');
    // A Node module without fabric-shim cannot be served: said before anything starts.
    assert.throws(() => serverCommand({ language: 'node', artefact: tmpdir() }, tls), /does not depend on fabric-shim/);
  });

  void it("is packaged with its servers' port on each peer's own host, its META-INF beside, and a label Fabric accepts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-'));
    await mkdir(join(dir, 'META-INF', 'statedb', 'couchdb', 'indexes'), { recursive: true });
    await writeFile(join(dir, 'META-INF', 'statedb', 'couchdb', 'indexes', 'owner.json'), '{"index":{"fields":["owner"]}}');
    const pkg = await packageChaincode({ name: 'basic', version: '1.0 beta/2', codeHash: 'f'.repeat(64), address: '{{.chaincode_host}}:10001', metaInf: join(dir, 'META-INF') }, join(dir, 'out'));
    assert.match(pkg.label, /^basic_1\.0-beta-2_ffffffffffff$/);
    const again = await packageChaincode({ name: 'basic', version: '1.0 beta/2', codeHash: 'f'.repeat(64), address: '{{.chaincode_host}}:10001', metaInf: join(dir, 'META-INF') }, join(dir, 'out2'));
    assert.equal(again.packageId, pkg.packageId, 'same inputs, same package id');
    await run('tar', ['-xzf', pkg.file, '-C', dir]);
    const { stdout } = await run('tar', ['-tzf', join(dir, 'code.tar.gz')]);
    assert.deepEqual(stdout.trim().split('\n').filter((l) => !l.endsWith('/')).sort(), ['META-INF/statedb/couchdb/indexes/owner.json', 'chaincode.json', 'connection.json']);
    await run('tar', ['-xzf', join(dir, 'code.tar.gz'), '-C', dir, 'connection.json']);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'connection.json'), 'utf8')), connectionTemplate('{{.chaincode_host}}:10001'));
  });

  void it('is refused, before anything is built or started, under a name the lifecycle or our chaincode takes', async () => {
    const layout = new StateLayout(await mkdtemp(join(tmpdir(), 'state-')));
    const ctx = { topology: energysale, layout, toolchain: { cacheDir: tmpdir() } as never };
    const noSupervisor = {} as never;
    for (const name of ['Basic', 'a b', '-x', 'x'.repeat(50)]) {
      await assert.rejects(deployUserChaincode(ctx, noSupervisor, () => undefined, { name, path: tmpdir() }), UserChaincodeError, name);
    }
    await assert.rejects(deployUserChaincode(ctx, noSupervisor, () => undefined, { name: energysale.chaincode.name, path: tmpdir() }), /the retail chaincode of the model/);
  });
});
