import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractError, monthlyFixedTemplate } from '../testing/fixtures';
import { parsePackageTemplate, parseTemplateId } from './model';

const valid = monthlyFixedTemplate;

/** `valid` with some top-level fields replaced; undefined removes a field. */
function withFields(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...valid, ...changes });
}

void describe('parsePackageTemplate', () => {
  void it('reads a valid template', () => {
    assert.deepEqual(parsePackageTemplate(JSON.stringify(valid)), valid);
  });

  void it('reads each pricing model', () => {
    const models = [
      { model: 'fixed', price: '380' },
      { model: 'indexed', reference: 'monthly-clearing-price', spread: '-12.5' },
      { model: 'time-of-use', peak: '620.00', flat: '410.00', valley: '205.00' },
    ];
    for (const priceTerms of models) {
      assert.deepEqual(parsePackageTemplate(withFields({ priceTerms })).priceTerms, priceTerms);
    }
  });

  const refusals: readonly (readonly [string, string, RegExp])[] = [
    ['not JSON', '{"id":', /templateJson must be JSON/],
    ['a JSON array', '[]', /templateJson must be a JSON object/],
    ['a missing id', withFields({ id: undefined }), /id must be/],
    ['an id with a slash', withFields({ id: 'a/b' }), /id must be/],
    ['a blank name', withFields({ name: '  ' }), /name must be a non-blank string/],
    ['a numeric region', withFields({ region: 32 }), /region must be/],
    ['an unknown market stage', withFields({ marketStage: 'weekly' }), /marketStage must be one of annual, monthly, spot/],
    ['an unknown user type', withFields({ targetUserType: 'farm' }), /targetUserType must be one of/],
    ['price terms that are not an object', withFields({ priceTerms: '412.50' }), /priceTerms must be a JSON object/],
    ['an unknown pricing model', withFields({ priceTerms: { model: 'auction' } }), /priceTerms.model must be one of/],
    ['a price as a JSON number', withFields({ priceTerms: { model: 'fixed', price: 412.5 } }), /priceTerms.price must be a price/],
    ['a price below the fen', withFields({ priceTerms: { model: 'fixed', price: '412.505' } }), /priceTerms.price/],
    ['a negative price', withFields({ priceTerms: { model: 'fixed', price: '-1' } }), /priceTerms.price/],
    ['a zero price', withFields({ priceTerms: { model: 'fixed', price: '0.00' } }), /priceTerms.price must be greater than zero/],
    ['a leading zero', withFields({ priceTerms: { model: 'fixed', price: '0412' } }), /priceTerms.price/],
    [
      'a time-of-use price without valley',
      withFields({ priceTerms: { model: 'time-of-use', peak: '600', flat: '400' } }),
      /priceTerms.valley must be a price/,
    ],
    [
      'an indexed price without reference',
      withFields({ priceTerms: { model: 'indexed', spread: '5' } }),
      /priceTerms.reference must be/,
    ],
    [
      'a field of another pricing model',
      withFields({ priceTerms: { model: 'fixed', price: '400', peak: '600' } }),
      /priceTerms.peak is not a known field/,
    ],
    ['a date with a time', withFields({ validFrom: '2025-01-01T00:00:00Z' }), /validFrom must be a date as YYYY-MM-DD/],
    ['a date that does not exist', withFields({ validTo: '2025-02-30' }), /validTo is not a calendar date/],
    ['an empty validity period', withFields({ validTo: valid.validFrom }), /validTo must be after validFrom/],
    ['a reversed validity period', withFields({ validFrom: '2025-03-01' }), /validTo must be after validFrom/],
    ['an unknown field', withFields({ colour: 'green' }), /colour is not a known field/],
    ['a stored field', withFields({ version: 2 }), /version is not a known field/],
  ];
  for (const [what, json, detail] of refusals) {
    void it(`refuses ${what}, naming the field`, () => {
      assert.throws(() => parsePackageTemplate(json), contractError('INVALID_ARGUMENT', detail));
    });
  }
});

void describe('parseTemplateId', () => {
  void it('accepts ids a template may have and refuses others', () => {
    assert.equal(parseTemplateId('js-2025-01_fixed.v1'), 'js-2025-01_fixed.v1');
    for (const id of ['', '-leading-dash', 'a'.repeat(65), 'with space', 'nul\u0000']) {
      assert.throws(() => parseTemplateId(id), contractError('INVALID_ARGUMENT', /id must be/));
    }
  });
});
