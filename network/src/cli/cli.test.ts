import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { StateLayout } from '../state/layout';
import { cliChecks, runCliScript } from '../testing/cli';
import { networkCli } from './main';

const script = join(__dirname, 'main.js');

void describe('the network CLI', () => {
  for (const { name, check } of cliChecks(networkCli, script)) void it(name, check);

  const dir = mkdtempSync(join(tmpdir(), 'energysale-cli-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it("prints a command's help without reading the state (one that cannot be read)", async () => {
    const layout = new StateLayout(join(dir, 'unreadable'));
    mkdirSync(layout.root, { recursive: true });
    writeFileSync(layout.statusFile, '{ not json');
    const env = { ...process.env, ENERGYSALE_STATE: layout.root };
    const broken = await runCliScript(script, ['status'], { env });
    assert.notEqual(broken.code, 0, 'the state is unreadable indeed');
    for (const entry of networkCli.commands) {
      const { code, stdout, stderr } = await runCliScript(script, [entry.name, '--help'], { env });
      assert.equal(code, 0, `${entry.name}: ${stderr}`);
      assert.ok(stdout.startsWith(`usage: network ${entry.name}`));
    }
  });

  void it('logs --follow piped into a reader that stops after its first chunk exits 0, quietly (EPIPE mid-stream)', async () => {
    const layout = new StateLayout(join(dir, 'logs'));
    mkdirSync(layout.logDir, { recursive: true });
    writeFileSync(layout.logFile('peer0'), 'a line of the log of a node that wrote a lot\n'.repeat(200_000));
    const { code, stdout, stderr } = await runCliScript(script, ['logs', 'peer0', '--follow'], { env: { ...process.env, ENERGYSALE_STATE: layout.root }, closeStdout: 'first-chunk' });
    assert.ok(stdout.length > 0, 'a first chunk was read');
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE/);
  });

  void it('passes compose arguments through: only a first --help is its own', () => {
    const compose = networkCli.commands.find((c) => c.name === 'compose');
    assert.equal(compose?.passThrough, true);
  });
});
