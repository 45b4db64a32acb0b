import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CommandError, run } from '../util/exec.js';
import { explainGoFailure } from './errors.js';
import {
  CCompilerError,
  DiskFullError,
  ensureToolchain,
  FABRIC,
  FABRIC_CA,
  GoToolchainError,
  locateToolchain,
  ModuleProxyError,
  ToolchainBuildError,
  ToolchainMissingError,
  type Toolchain,
  VEGETA,
} from './index.js';

const SOURCE_DIR = path.resolve(__dirname, '..', '..', 'toolchain');

void describe('the toolchain in the real cache (builds it the first time: ~3 min)', () => {
  let toolchain: Toolchain;

  before(async () => {
    toolchain = await ensureToolchain({ log: () => undefined });
  });

  void it('has every binary, and the builder the peer runs', () => {
    for (const file of Object.values(toolchain.bin)) assert.ok(existsSync(file), file);
    for (const step of ['detect', 'build', 'release']) {
      assert.ok(existsSync(path.join(toolchain.externalBuilderDir, 'bin', step)), step);
    }
  });

  void it('reports the pinned versions', async () => {
    const peer = await run(toolchain.bin.peer, ['version']);
    assert.match(peer.stdout, new RegExp(`Version: ${FABRIC.version}\\n`));
    const client = await run(toolchain.bin.fabricCaClient, ['version'], { cwd: os.tmpdir() });
    assert.match(client.stdout, new RegExp(`Version: ${FABRIC_CA.version}\\n`));
    const vegeta = await run(toolchain.bin.vegeta, ['-version'], { cwd: os.tmpdir() });
    assert.match(vegeta.stdout, new RegExp(`^Version: ${VEGETA.version}\\n`));
    assert.deepEqual(toolchain.versions, { fabric: FABRIC.version, fabricCa: FABRIC_CA.version, vegeta: VEGETA.version });
  });

  void it('points at a sampleconfig with core.yaml and orderer.yaml', () => {
    for (const file of ['core.yaml', 'orderer.yaml', 'configtx.yaml']) {
      assert.ok(existsSync(path.join(toolchain.sampleConfigDir, file)), file);
    }
  });

  void it('does not rebuild when everything is present', async () => {
    const lines: string[] = [];
    const again = await ensureToolchain({ log: (line) => lines.push(line) });
    assert.deepEqual(again, toolchain);
    assert.deepEqual(
      lines.filter((line) => /^(building|downloading|using go)/.test(line)),
      [],
    );
  });

  void it('is found by locateToolchain without building', async () => {
    assert.deepEqual(await locateToolchain(), toolchain);
  });
});

void describe('locateToolchain', () => {
  let emptyCache: string;
  let saved: string | undefined;

  before(async () => {
    emptyCache = await mkdtemp(path.join(os.tmpdir(), 'energysale-cache-'));
    saved = process.env['ENERGYSALE_CACHE'];
    process.env['ENERGYSALE_CACHE'] = emptyCache;
  });

  after(async () => {
    if (saved === undefined) delete process.env['ENERGYSALE_CACHE'];
    else process.env['ENERGYSALE_CACHE'] = saved;
    await rm(emptyCache, { recursive: true, force: true });
  });

  void it('throws ToolchainMissingError naming what is missing and the fix', async () => {
    await assert.rejects(locateToolchain(), (error: unknown) => {
      assert.ok(error instanceof ToolchainMissingError);
      assert.ok(error.missing.some((m) => m.endsWith('peer')));
      assert.ok(error.missing.some((m) => m.includes('sampleconfig')));
      assert.match(error.message, /npm run setup/);
      assert.ok(error.message.includes(emptyCache));
      return true;
    });
  });
});

void describe('the Go modules', () => {
  void it('pin the versions of versions.ts', async () => {
    const fabric = await readFile(path.join(SOURCE_DIR, 'fabric', 'go.mod'), 'utf8');
    assert.match(fabric, new RegExp(`^require ${FABRIC.module} ${FABRIC.moduleVersion}$`, 'm'));
    assert.ok(FABRIC.moduleVersion.endsWith(FABRIC.commit.slice(0, 12)));
    const ca = await readFile(path.join(SOURCE_DIR, 'fabric-ca', 'go.mod'), 'utf8');
    assert.match(ca, new RegExp(`^require ${FABRIC_CA.module} ${FABRIC_CA.moduleVersion}$`, 'm'));
    const vegeta = await readFile(path.join(SOURCE_DIR, 'vegeta', 'go.mod'), 'utf8');
    assert.match(vegeta, new RegExp(`^require ${VEGETA.module} ${VEGETA.moduleVersion}$`, 'm'));
    assert.equal(VEGETA.moduleVersion, `v${VEGETA.version}`);
  });
});

void describe('explainGoFailure', () => {
  const context = { doing: 'building Fabric CA 1.5.21', cacheDir: '/cache', goproxy: 'https://proxy.golang.org,direct' };
  const failure = (stderr: string): CommandError =>
    new CommandError('go', ['build'], 1, '', stderr, `go build exited with 1\n${stderr}`);

  // Lines as go 1.26 prints them.
  const cases = [
    {
      stderr: '# runtime/cgo\ncgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH',
      type: CCompilerError,
      mentions: /C compiler.*apt-get install gcc/s,
    },
    {
      stderr: 'go: go.mod requires go >= 1.25.0 (running go 1.22.4; GOTOOLCHAIN=local)',
      type: GoToolchainError,
      mentions: /too old.*1\.25\.0/,
    },
    {
      stderr:
        'go: downloading github.com/pkg/errors v0.9.0\n' +
        'main.go:2:8: github.com/pkg/errors@v0.9.0: Get "https://proxy.golang.org/github.com/pkg/errors/@v/v0.9.0.zip": ' +
        'dial tcp: lookup proxy.golang.org: no such host',
      type: ModuleProxyError,
      mentions: /could not be reached.*GOPROXY/s,
    },
    {
      stderr:
        'go: github.com/hyperledger/fabric@v2.5.10: ' +
        'reading https://proxy.golang.org/github.com/hyperledger/fabric/@v/v2.5.10.info: 403 Forbidden',
      type: ModuleProxyError,
      mentions: /refused/,
    },
    {
      stderr: 'go: writing go.mod cache: write /cache/gomod/cache/x: no space left on device',
      type: DiskFullError,
      mentions: /1\.7 GB.*ENERGYSALE_CACHE/s,
    },
    { stderr: 'peer/main.go:1:1: syntax error', type: ToolchainBuildError, mentions: /syntax error/ },
  ];
  for (const { stderr, type, mentions } of cases) {
    void it(`reports ${type.name} for ${stderr.split('\n').at(-1) ?? ''}`, () => {
      const error = explainGoFailure(failure(stderr), context);
      assert.ok(error instanceof type, `${error.name}: ${error.message}`);
      assert.match(error.message, mentions);
      assert.ok(error.cause instanceof CommandError);
    });
  }

  void it('reports a missing go as GoToolchainError', () => {
    const enoent = Object.assign(new Error('spawn go ENOENT'), { code: 'ENOENT' });
    const error = explainGoFailure(
      new CommandError('go', ['env'], null, '', '', 'cannot start go: spawn go ENOENT', { cause: enoent }),
      context,
    );
    assert.ok(error instanceof GoToolchainError);
    assert.match(error.message, /not on PATH/);
  });

  void it('reports ENOSPC from the filesystem as DiskFullError', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    assert.ok(explainGoFailure(enospc, context) instanceof DiskFullError);
  });
});
