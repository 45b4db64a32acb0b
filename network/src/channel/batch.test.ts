import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { energysale } from '../topology';
import { BatchSettingsError, batchSettingsOf, byteSize, checkBatchChanges, durationNanos, formatByteSize, sameBatchSettings, withBatchChanges } from './batch';
import type { ConfigJson } from './config';

/** The parts of a decoded channel config that matter here, as configtxlator prints them. */
function config(): ConfigJson {
  return {
    sequence: '3',
    channel_group: {
      mod_policy: 'Admins',
      groups: {
        Application: { mod_policy: 'Admins', values: { Capabilities: { mod_policy: 'Admins', value: { capabilities: { V2_0: {} } }, version: '0' } } },
        Orderer: {
          mod_policy: 'Admins',
          values: {
            BatchSize: { mod_policy: 'Admins', value: { absolute_max_bytes: 103809024, max_message_count: 10, preferred_max_bytes: 524288 }, version: '0' },
            BatchTimeout: { mod_policy: 'Admins', value: { timeout: '2s' }, version: '0' },
            ConsensusType: { mod_policy: 'Admins', value: { type: 'etcdraft', state: 'STATE_NORMAL' }, version: '0' },
          },
        },
      },
    },
  };
}

const rejects = (field: string) => (error: unknown) => error instanceof BatchSettingsError && error.field === field;

void describe('orderer batch settings', () => {
  void it("reads a config's settings in the model's spelling", () => {
    assert.deepEqual(batchSettingsOf(config()), energysale.channel.batch);
  });

  void it('changes only the BatchTimeout and BatchSize values, leaving the original untouched', () => {
    const original = config();
    const updated = withBatchChanges(original, { timeout: '250ms', maxMessageCount: 50, preferredMaxBytes: '1MB' });
    const expected = config() as { channel_group: { groups: { Orderer: { values: { BatchSize: { value: Record<string, number> }; BatchTimeout: { value: { timeout: string } } } } } } };
    expected.channel_group.groups.Orderer.values.BatchTimeout.value.timeout = '250ms';
    expected.channel_group.groups.Orderer.values.BatchSize.value = { absolute_max_bytes: 103809024, max_message_count: 50, preferred_max_bytes: 1048576 };
    assert.deepEqual(updated, expected);
    assert.deepEqual(original, config());
    assert.deepEqual(batchSettingsOf(updated), { timeout: '250ms', maxMessageCount: 50, absoluteMaxBytes: '99 MB', preferredMaxBytes: '1 MB' });
  });

  void it('reads durations and sizes as the orderer and configtxgen do', () => {
    assert.equal(durationNanos('250ms'), 250e6);
    assert.equal(durationNanos('1m30s'), 90e9);
    assert.equal(durationNanos('1.5s'), 1.5e9);
    for (const bad of ['', '5', 's', '2 s', '-1s', '2sec', '1s2']) assert.equal(durationNanos(bad), undefined, bad);
    assert.equal(byteSize('99 MB'), 99 * 2 ** 20);
    assert.equal(byteSize('512KB'), 512 * 1024);
    assert.equal(byteSize('512k'), 512 * 1024);
    assert.equal(byteSize('4096'), 4096);
    for (const bad of ['', 'MB', '1.5 MB', '12 TB', '-1KB']) assert.equal(byteSize(bad), undefined, bad);
    assert.equal(formatByteSize(99 * 2 ** 20), '99 MB');
    assert.equal(formatByteSize(1536), '1536');
    assert.equal(formatByteSize(2 ** 30), '1 GB');
  });

  void it('refuses bad input with the field named', () => {
    assert.throws(() => { checkBatchChanges({ timeout: '250' }); }, rejects('timeout'));
    assert.throws(() => { checkBatchChanges({ timeout: '0s' }); }, rejects('timeout'));
    assert.throws(() => { checkBatchChanges({ maxMessageCount: 0 }); }, rejects('maxMessageCount'));
    assert.throws(() => { checkBatchChanges({ maxMessageCount: 2.5 }); }, rejects('maxMessageCount'));
    assert.throws(() => { checkBatchChanges({ maxMessageCount: Number.NaN }); }, rejects('maxMessageCount'));
    assert.throws(() => { checkBatchChanges({ absoluteMaxBytes: 'lots' }); }, rejects('absoluteMaxBytes'));
    assert.throws(() => { checkBatchChanges({ absoluteMaxBytes: '4 GB' }); }, rejects('absoluteMaxBytes'));
    assert.throws(() => { checkBatchChanges({ absoluteMaxBytes: '1 MB', preferredMaxBytes: '2 MB' }); }, rejects('preferredMaxBytes'));
    // Against the current settings too: preferred above the config's absolute 99 MB.
    assert.throws(() => withBatchChanges(config(), { preferredMaxBytes: '100 MB' }), rejects('preferredMaxBytes'));
    assert.doesNotThrow(() => { checkBatchChanges({ timeout: '250ms', maxMessageCount: 50, preferredMaxBytes: '512KB' }); });
  });

  void it('compares settings by what they mean to the orderer', () => {
    const model = energysale.channel.batch;
    assert.ok(sameBatchSettings(model, { ...model, timeout: '2000ms', preferredMaxBytes: '512KB' }));
    assert.ok(!sameBatchSettings(model, { ...model, maxMessageCount: 11 }));
  });
});
