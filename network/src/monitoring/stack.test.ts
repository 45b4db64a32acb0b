import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import { StateLayout } from '../state/layout';
import { energysale, monitoring } from '../topology';
import { monitoringSpecs } from './stack';

void describe('monitoring processes', () => {
  const layout = new StateLayout('/tmp/energysale-state-for-specs');
  const specs = monitoringSpecs(layout, energysale);
  const m = monitoring(energysale);

  void it("runs our own process exporter for the state, natively in every runtime, on the model's port, and no process-exporter", () => {
    const own = specs.find((s) => s.id === m.ownExporter.id);
    assert.ok(own);
    assert.equal(own.native, true);
    assert.equal(own.command, process.execPath);
    const [bin, ...args] = own.args;
    assert.ok(bin !== undefined && existsSync(bin), `${String(bin)} is not built`);
    assert.deepEqual(args, ['--state', layout.root, '--listen', m.ownExporter.endpoint]);
    assert.deepEqual(own.binds.map((b) => b.endpoint), [m.ownExporter.endpoint]);
    // Its code is part of its fingerprint: a kept network's exporter restarts after an upgrade.
    assert.match(own.env.ENERGYSALE_OWN_EXPORTER_BUILD ?? '', /^[0-9a-f]{16}$/);
    assert.ok(!specs.some((s) => s.command.includes('process-exporter')));
  });

  void it('runs the Debian tools in the runtime of the state (containers in the docker runtime)', () => {
    assert.deepEqual(specs.filter((s) => s.native !== true).map((s) => s.id), [m.nodeExporter.id, m.prometheus.id]);
  });
});
