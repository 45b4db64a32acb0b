import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeLedger } from '../testing/fake-context';
import { monthlyFixedTemplate } from '../testing/fixtures';
import { fakeContext as templateContext } from '../testing/fake-context';
import { indexKeys, latestKey, queryRange, versionKey, versionsRange } from './keys';
import { FILTER_ATTRIBUTES, MAX_VERSION, type PackageTemplate, type TemplateFilter } from './model';

const ctx = templateContext(new FakeLedger(), { mspId: 'ConsumerOrgMSP', role: 'consumer' }, new Date(0));
const template: PackageTemplate = monthlyFixedTemplate;

function prefixOf(range: { objectType: string; attributes: readonly string[] }): string {
  return ctx.stub.createCompositeKey(range.objectType, [...range.attributes]);
}

/** Every filter `template` matches: each subset of the filter attributes, with its values. */
function filtersMatching(t: PackageTemplate): TemplateFilter[][] {
  return FILTER_ATTRIBUTES.reduce<TemplateFilter[][]>(
    (subsets, attribute) => [...subsets, ...subsets.map((subset) => [...subset, { attribute, value: t[attribute] }])],
    [[]],
  );
}

void describe('template keys', () => {
  void it('writes one index entry per non-empty combination of filter attributes', () => {
    const keys = indexKeys(ctx, template);
    assert.equal(keys.length, 2 ** FILTER_ATTRIBUTES.length - 1);
    assert.equal(new Set(keys).size, keys.length);
  });

  void it('answers every filter a template matches with a range that holds exactly one of its entries', () => {
    const keys = indexKeys(ctx, template);
    for (const filters of filtersMatching(template).filter((subset) => subset.length > 0)) {
      const prefix = prefixOf(queryRange(filters));
      assert.deepEqual(
        keys.filter((key) => key.startsWith(prefix)),
        [keys.find((key) => key === `${prefix}${template.id}\u0000`)],
        JSON.stringify(filters),
      );
    }
  });

  void it('lists every template, and nothing else, without filters', () => {
    const range = queryRange([]);
    assert.equal(range.holdsRecords, true);
    const prefix = prefixOf(range);
    assert.ok(latestKey(ctx, template.id).startsWith(prefix));
    for (const key of [...indexKeys(ctx, template), versionKey(ctx, template.id, 1)]) {
      assert.ok(!key.startsWith(prefix), JSON.stringify(key));
    }
  });

  void it('orders version keys by version, within the range of their template alone', () => {
    const versions = [1, 2, 9, 10, 99, 100, MAX_VERSION].map((version) => versionKey(ctx, template.id, version));
    assert.deepEqual([...versions].sort(), versions);
    const prefix = prefixOf(versionsRange(template.id));
    assert.ok(versions.every((key) => key.startsWith(prefix)));
    assert.ok(!versionKey(ctx, `${template.id}-b`, 1).startsWith(prefix));
  });
});
