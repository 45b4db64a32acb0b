import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { cliChecks, commandHelp, runCliScript } from '@energysale/network';

import { benchCli } from './cli';

const script = join(__dirname, 'cli.js');

/** A line of fabric-contract-api's logger: `<ISO time> <level> [c-api:<module>] ...`. */
const CONTRACT_API_LOG = /^\d{4}-\d\d-\d\dT[\d:.]+Z .*\[c-api:/m;

void describe('the bench CLI', () => {
  for (const { name, check } of cliChecks(benchCli, script)) void it(name, check);

  void it("starts its output with the command's own first line: no library's start-up logs before it", async () => {
    const env = { ...process.env };
    delete env.CORE_CHAINCODE_LOGGING_LEVEL;
    const run = benchCli.commands.find((c) => c.name === 'run');
    assert.ok(run);
    const { code, stdout, stderr } = await runCliScript(script, ['run', '--help'], { env });
    assert.equal(code, 0, stderr);
    assert.equal(stdout.split('\n')[0], commandHelp(benchCli, run).split('\n')[0]);
    assert.doesNotMatch(stdout, CONTRACT_API_LOG);
    assert.doesNotMatch(stderr, CONTRACT_API_LOG);
  });

  void it('loads the contract (whose logs the check above looks for): asked for, they are there', async () => {
    const { code, stdout } = await runCliScript(script, ['run', '--help'], { env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'info' } });
    assert.equal(code, 0);
    assert.match(stdout, CONTRACT_API_LOG);
  });
});
