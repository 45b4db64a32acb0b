import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractError, monthlyFixedTemplate } from '../testing/fixtures';
import { encodeBookmark, parsePackageTemplate, parseTemplateId, parseTemplateQuery, parseVersion } from './model';

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
    ['a region with a trailing space', withFields({ region: 'Jiangsu ' }), /region must not start or end with white space/],
    ['a region with a NUL, which separates key parts', withFields({ region: 'Jiang\u0000su' }), /region must not .* control characters/],
    ['a region with the highest code point, which ends key ranges', withFields({ region: 'Jiangsu\u{10ffff}' }), /region must not/],
    ['a region with a lone surrogate', withFields({ region: 'Jiangsu\ud800' }), /region must not/],
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

void describe('parseVersion', () => {
  void it('reads versions 1 to 999999 in plain decimal and refuses anything else', () => {
    assert.equal(parseVersion('1'), 1);
    assert.equal(parseVersion('999999'), 999999);
    for (const version of ['', '0', '007', '1e3', '1.0', '+1', '-1', ' 1', '1000000', '٣']) {
      assert.throws(() => parseVersion(version), contractError('INVALID_ARGUMENT', /version must be a whole number from 1 to 999999/));
    }
  });
});

void describe('parseTemplateQuery', () => {
  void it('reads an empty query as every template, first page of 20', () => {
    assert.deepEqual(parseTemplateQuery('{}'), { filters: [], pageSize: 20, bookmark: '' });
  });

  void it('reads every field, listing filters in index order whatever the JSON order', () => {
    const bookmark = encodeBookmark('\u0000template~region~targetUserType\u0000Jiangsu\u0000large\u0000b\u0000');
    const query = { targetUserType: 'large', pageSize: 100, bookmark, region: 'Jiangsu' };
    assert.deepEqual(parseTemplateQuery(JSON.stringify(query)), {
      filters: [
        { attribute: 'region', value: 'Jiangsu' },
        { attribute: 'targetUserType', value: 'large' },
      ],
      pageSize: 100,
      bookmark: '\u0000template~region~targetUserType\u0000Jiangsu\u0000large\u0000b\u0000',
    });
  });

  const refusals: readonly (readonly [string, string, RegExp])[] = [
    ['not JSON', '{"region":', /queryJson must be JSON/],
    ['a JSON string', '"Jiangsu"', /queryJson must be a JSON object/],
    ['null', 'null', /queryJson must be a JSON object/],
    ['a null filter', '{"region":null}', /region must be a non-blank string/],
    ['a blank region', '{"region":" "}', /region must be a non-blank string/],
    ['a region with a NUL', '{"region":"a\\u0000b"}', /region must not/],
    ['an unknown market stage', '{"marketStage":"weekly"}', /marketStage must be one of annual, monthly, spot/],
    ['an unknown user type', '{"targetUserType":"farm"}', /targetUserType must be one of/],
    ['a page size of 0', '{"pageSize":0}', /pageSize must be a whole number from 1 to 100/],
    ['a page size over 100', '{"pageSize":101}', /pageSize must be a whole number from 1 to 100/],
    ['a fractional page size', '{"pageSize":2.5}', /pageSize must be a whole number/],
    ['a page size as a string', '{"pageSize":"10"}', /pageSize must be a whole number/],
    ['a bookmark that is not base64url', '{"bookmark":"a+b/"}', /bookmark must be a bookmark returned by a previous query/],
    ['a bookmark in a non-canonical encoding', '{"bookmark":"QR"}', /bookmark must be a bookmark returned/],
    ['a numeric bookmark', '{"bookmark":12}', /bookmark must be/],
    ['an unknown field', '{"regions":["Jiangsu"]}', /regions is not a known field/],
  ];
  for (const [what, json, detail] of refusals) {
    void it(`refuses ${what}, naming the field`, () => {
      assert.throws(() => parseTemplateQuery(json), contractError('INVALID_ARGUMENT', detail));
    });
  }
});
