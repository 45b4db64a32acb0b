import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { NativeContext } from '../runtime/native/specs';
import { Actor } from '../testing/actors';
import { currentTemplate } from '../testing/fixtures';
import { sharedNetwork, topology } from '../testing/live';
import { orderers, peers } from '../topology';
import { BatchSettingsError, readBatchSettings, sameBatchSettings, updateBatchSettings, type BatchSettings } from './batch';

const network = sharedNetwork();
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

void describe('orderer batch settings of the live channel', { timeout: 300_000 }, () => {
  let ctx: NativeContext;
  let retailer: Actor;
  before(async () => {
    ctx = await network.context();
    retailer = Actor.connect(topology, network.layout, 'retailer', 'retailer1');
    await retailer.submit('participants', 'RegisterParticipant');
  });
  after(() => {
    retailer.close();
  });

  void it("are the model's after `up`, on every orderer and peer", async () => {
    for (const node of [...orderers(topology), ...peers(topology)]) {
      assert.deepEqual(await readBatchSettings(ctx, node), topology.channel.batch, node.id);
    }
  });

  void it('refuses bad input and sends nothing for a no-op', async () => {
    await assert.rejects(updateBatchSettings(ctx, { timeout: 'soon' }, log), BatchSettingsError);
    await assert.rejects(updateBatchSettings(ctx, { maxMessageCount: 0 }, log), BatchSettingsError);
    await assert.rejects(updateBatchSettings(ctx, { preferredMaxBytes: '100 MB' }, log), BatchSettingsError);
    const same = await updateBatchSettings(ctx, { timeout: topology.channel.batch.timeout }, log);
    assert.equal(same.configBlock, undefined);
  });

  void it('change by a config update, hold on an orderer and a peer, and still commit transactions', async () => {
    const original = await readBatchSettings(ctx);
    const tuned: BatchSettings = { ...original, timeout: '250ms', maxMessageCount: 50 };
    try {
      const update = await updateBatchSettings(ctx, { timeout: tuned.timeout, maxMessageCount: tuned.maxMessageCount }, log);
      log(`update to ${tuned.timeout}/${tuned.maxMessageCount} took ${update.elapsedMs.toFixed(0)} ms (config block ${String(update.configBlock)})`);
      assert.deepEqual(update.before, original);
      assert.deepEqual(update.after, tuned);
      const [orderer] = orderers(topology).slice(-1);
      const [peer] = peers(topology).slice(-1);
      assert.ok(orderer && peer);
      assert.deepEqual(await readBatchSettings(ctx, orderer), tuned, orderer.id);
      assert.deepEqual(await readBatchSettings(ctx, peer), tuned, peer.id);

      const id = `batch-${Date.now().toString(36)}`;
      const started = performance.now();
      await retailer.submit('packages', 'CreatePackageTemplate', [JSON.stringify(currentTemplate(id, 'batch settings'))]);
      log(`a transaction committed in ${(performance.now() - started).toFixed(0)} ms under the tuned settings`);
      const stored = JSON.parse(await retailer.evaluate('packages', 'ReadPackageTemplate', [id])) as { id: string };
      assert.equal(stored.id, id);
    } finally {
      const restore = await updateBatchSettings(ctx, original, log);
      log(`restore took ${restore.elapsedMs.toFixed(0)} ms`);
      assert.ok(sameBatchSettings(await readBatchSettings(ctx), original), 'the original settings are back');
    }
    assert.deepEqual(await readBatchSettings(ctx, peers(topology)[0] ?? assert.fail('no peer')), original);
  });
});
