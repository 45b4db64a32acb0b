import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bytes, fixed, tickLabel, times } from './format';

void describe('format', () => {
  void it('groups thousands and rounds without the locale', () => {
    assert.equal(fixed(40047.72, 2), '40,047.72');
    assert.equal(fixed(1234567, 0), '1,234,567');
    assert.equal(fixed(-1234.56, 1), '-1,234.6');
    assert.equal(fixed(-0.0001, 2), '0.00');
    assert.equal(fixed(999.999, 2), '1,000.00');
  });

  void it('shows ratios with fewer decimals as they grow, and n/a for none', () => {
    assert.equal(times(0.3812), '×0.38');
    assert.equal(times(11.43), '×11.4');
    assert.equal(times(185.2), '×185');
    assert.equal(times(null), 'n/a');
  });

  void it('gives tick labels the decimals their step needs', () => {
    assert.equal(tickLabel(0.5, 0.5), '0.5');
    assert.equal(tickLabel(0.05, 0.05), '0.05');
    assert.equal(tickLabel(2000, 1000), '2,000');
    assert.equal(tickLabel(10, 2), '10');
  });

  void it('shows sizes in binary units', () => {
    assert.equal(bytes(80), '80 B');
    assert.equal(bytes(524288), '512.0 KiB');
    assert.equal(bytes(103809024), '99.0 MiB');
  });
});
