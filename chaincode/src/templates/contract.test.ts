import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stableStringify } from '../json';
import { FakeLedger, type FakeCaller } from '../testing/fake-context';
import { contractError, monthlyFixedTemplate } from '../testing/fixtures';
import { PackageTemplateContract } from './contract';
import { fakeContext as templateContext } from '../testing/fake-context';
import { MARKET_STAGES, MAX_VERSION, TARGET_USER_TYPES, type PackageTemplateRecord } from './model';

const retailer: FakeCaller = { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer1::CN=ca.retailerorg' };
const otherRetailer: FakeCaller = { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer2::CN=ca.retailerorg' };
const exchange: FakeCaller = { mspId: 'ExchangeOrgMSP', role: 'exchange' };
const regulator: FakeCaller = { mspId: 'ExchangeOrgMSP', role: 'regulator' };
const consumer: FakeCaller = { mspId: 'ConsumerOrgMSP', role: 'consumer' };
const forged: FakeCaller = { mspId: 'ConsumerOrgMSP', role: 'retailer' };

const txTime = new Date('2025-01-15T08:30:00.123Z');
const later = new Date('2025-01-15T08:31:00Z');
const evenLater = new Date('2025-01-16T09:00:00Z');
const templateId = monthlyFixedTemplate.id;
const templateJson = JSON.stringify(monthlyFixedTemplate);
/** The fixture with other content: a lower price. */
const cheaperJson = withFields({ priceTerms: { model: 'fixed', price: '399.00' } });

const contract = new PackageTemplateContract();

function withFields(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...monthlyFixedTemplate, ...changes });
}

/** A composite key as the shim writes it. */
function key(...parts: string[]): string {
  return `\u0000${parts.map((part) => `${part}\u0000`).join('')}`;
}

function create(ledger: FakeLedger, caller: FakeCaller, json: string, at = txTime): Promise<string> {
  return contract.CreatePackageTemplate(templateContext(ledger, caller, at), json);
}

function update(ledger: FakeLedger, caller: FakeCaller, json: string, at = later): Promise<string> {
  return contract.UpdatePackageTemplate(templateContext(ledger, caller, at), json);
}

function read(ledger: FakeLedger, caller: FakeCaller, id: string): Promise<string> {
  return contract.ReadPackageTemplate(templateContext(ledger, caller, txTime), id);
}

function readVersion(ledger: FakeLedger, caller: FakeCaller, id: string, version: string): Promise<string> {
  return contract.ReadPackageTemplateVersion(templateContext(ledger, caller, txTime), id, version);
}

function listVersions(ledger: FakeLedger, caller: FakeCaller, id: string): Promise<string> {
  return contract.ListPackageTemplateVersions(templateContext(ledger, caller, txTime), id);
}

type Page = { records: PackageTemplateRecord[]; bookmark: string; fetched: number };

async function query(ledger: FakeLedger, caller: FakeCaller, q: Record<string, unknown>): Promise<Page> {
  return JSON.parse(await contract.QueryPackageTemplates(templateContext(ledger, caller, txTime), JSON.stringify(q))) as Page;
}

/** Every page of a query, following bookmarks until the empty one. */
async function queryAll(ledger: FakeLedger, q: Record<string, unknown>): Promise<Page[]> {
  const pages = [await query(ledger, consumer, q)];
  for (let last = pages[0]; last !== undefined && last.bookmark !== ''; last = pages.at(-1)) {
    pages.push(await query(ledger, consumer, { ...q, bookmark: last.bookmark }));
  }
  return pages;
}

void describe('PackageTemplateContract', () => {
  void it('is the contract named packages', () => {
    assert.equal(contract.getName(), 'packages');
  });

  void describe('CreatePackageTemplate and ReadPackageTemplate', () => {
    void it('stores version 1 with creator and transaction time, its index entries, and reads it back', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);

      assert.deepEqual(JSON.parse(created), {
        ...monthlyFixedTemplate,
        version: 1,
        createdBy: { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer1::CN=ca.retailerorg' },
        createdAt: '2025-01-15T08:30:00.123Z',
      });
      assert.deepEqual(ledger.writes, [
        key('template', templateId),
        key('templateVersion', templateId, '000001'),
        key('template~region', 'Jiangsu', templateId),
        key('template~marketStage', 'monthly', templateId),
        key('template~region~marketStage', 'Jiangsu', 'monthly', templateId),
        key('template~targetUserType', 'commercial', templateId),
        key('template~region~targetUserType', 'Jiangsu', 'commercial', templateId),
        key('template~marketStage~targetUserType', 'monthly', 'commercial', templateId),
        key('template~region~marketStage~targetUserType', 'Jiangsu', 'monthly', 'commercial', templateId),
      ]);
      assert.equal(ledger.state.get(key('templateVersion', templateId, '000001')), created);
      assert.equal(ledger.state.get(key('template~region', 'Jiangsu', templateId)), templateId);
      for (const reader of [retailer, exchange, regulator, consumer]) {
        assert.equal(await read(ledger, reader, templateId), created);
      }
    });

    void it('lets the exchange create templates', async () => {
      const created = await create(new FakeLedger(), exchange, templateJson);
      assert.equal((JSON.parse(created) as PackageTemplateRecord).createdBy.role, 'exchange');
    });

    void it('writes the same bytes on every endorser, with keys sorted', async () => {
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(monthlyFixedTemplate).reverse()));
      const [first, second] = [new FakeLedger(), new FakeLedger()];
      await create(first, retailer, templateJson);
      await create(second, retailer, reordered);

      assert.deepEqual(first.state, second.state);
      assert.equal(
        first.state.get(key('template', templateId)),
        '{"createdAt":"2025-01-15T08:30:00.123Z",' +
          '"createdBy":{"id":"x509::CN=retailer1::CN=ca.retailerorg","mspId":"RetailerOrgMSP","role":"retailer"},' +
          '"id":"js-2025-01-fixed","marketStage":"monthly","name":"江苏 2025年1月 固定价格套餐",' +
          '"priceTerms":{"model":"fixed","price":"412.50"},"region":"Jiangsu","targetUserType":"commercial",' +
          '"validFrom":"2025-01-01","validTo":"2025-02-01","version":1}',
      );
    });

    void it('answers a replayed create with the stored record and writes nothing', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);
      const replayed = await create(ledger, retailer, templateJson, later);

      assert.equal(replayed, created);
      assert.equal(ledger.writes.length, 9);
    });

    void it('refuses other content under an existing id as CONFLICT and keeps the stored record', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);

      await assert.rejects(create(ledger, retailer, cheaperJson, later), contractError('CONFLICT', /.*'js-2025-01-fixed'/));
      assert.equal(ledger.writes.length, 9);
      assert.equal(await read(ledger, consumer, templateId), created);
    });

    void it('compares a replayed create with the latest version once the template was updated', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      const updated = await update(ledger, retailer, cheaperJson);
      const writes = ledger.writes.length;

      assert.equal(await create(ledger, retailer, cheaperJson, evenLater), updated);
      await assert.rejects(create(ledger, retailer, templateJson, evenLater), contractError('CONFLICT'));
      assert.equal(ledger.writes.length, writes);
    });

    void it('refuses creators whose role may not create, before reading their input', async () => {
      for (const caller of [consumer, regulator]) {
        const ledger = new FakeLedger();
        await assert.rejects(create(ledger, caller, 'not even JSON'), contractError('FORBIDDEN_ROLE', /.*may not create/));
        assert.equal(ledger.writes.length, 0);
      }
    });

    void it('refuses a role claimed from the wrong organisation, to write and to read', async () => {
      const ledger = new FakeLedger();
      await assert.rejects(create(ledger, forged, templateJson), contractError('FORBIDDEN_ROLE', /.*not issued by ConsumerOrgMSP/));
      assert.equal(ledger.writes.length, 0);

      await create(ledger, retailer, templateJson);
      await assert.rejects(read(ledger, forged, templateId), contractError('FORBIDDEN_ROLE'));
    });

    void it('refuses to read for an identity without a role', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      await assert.rejects(read(ledger, { mspId: 'RetailerOrgMSP', role: null }, templateId), contractError('FORBIDDEN_ROLE'));
    });

    void it('refuses an invalid template as INVALID_ARGUMENT naming the field, and writes nothing', async () => {
      const ledger = new FakeLedger();
      const undated = withFields({ validTo: '2024-12-31' });
      await assert.rejects(create(ledger, retailer, undated), contractError('INVALID_ARGUMENT', /validTo must be after validFrom/));
      assert.equal(ledger.writes.length, 0);
    });

    void it('answers NOT_FOUND for a template that does not exist, and INVALID_ARGUMENT for a malformed id', async () => {
      const ledger = new FakeLedger();
      await assert.rejects(read(ledger, consumer, 'no-such-template'), contractError('NOT_FOUND', /package template 'no-such-template'/));
      await assert.rejects(read(ledger, consumer, 'a\u0000b'), contractError('INVALID_ARGUMENT', /id must be/));
    });
  });

  void describe('UpdatePackageTemplate', () => {
    void it('writes the next version with updater and time, keeps creator and creation time, and makes it the latest', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);
      const updated = await update(ledger, otherRetailer, cheaperJson);

      assert.deepEqual(JSON.parse(updated), {
        ...monthlyFixedTemplate,
        priceTerms: { model: 'fixed', price: '399.00' },
        version: 2,
        createdBy: (JSON.parse(created) as PackageTemplateRecord).createdBy,
        createdAt: '2025-01-15T08:30:00.123Z',
        updatedBy: { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer2::CN=ca.retailerorg' },
        updatedAt: '2025-01-15T08:31:00.000Z',
      });
      assert.equal(await read(ledger, consumer, templateId), updated);
      assert.equal(await readVersion(ledger, consumer, templateId, '1'), created);
      assert.equal(await readVersion(ledger, consumer, templateId, '2'), updated);
    });

    void it('writes only the record twice when no filtered attribute changed', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      ledger.writes.length = 0;
      await update(ledger, retailer, cheaperJson);
      assert.deepEqual(ledger.writes, [key('template', templateId), key('templateVersion', templateId, '000002')]);
    });

    void it('moves the index entries of changed attributes and leaves the others', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      ledger.writes.length = 0;
      await update(ledger, retailer, withFields({ region: 'Anhui' }));

      const moved = [
        ['template~region', 'Jiangsu', 'Anhui'],
        ['template~region~marketStage', 'Jiangsu', 'Anhui', 'monthly'],
        ['template~region~targetUserType', 'Jiangsu', 'Anhui', 'commercial'],
        ['template~region~marketStage~targetUserType', 'Jiangsu', 'Anhui', 'monthly', 'commercial'],
      ] as const;
      const oldKeys = moved.map(([type, from, , ...rest]) => key(type, from, ...rest, templateId));
      const newKeys = moved.map(([type, , to, ...rest]) => key(type, to, ...rest, templateId));
      assert.deepEqual(ledger.writes, [key('template', templateId), key('templateVersion', templateId, '000002'), ...oldKeys, ...newKeys]);
      for (const old of oldKeys) assert.equal(ledger.state.has(old), false);
      for (const entry of newKeys) assert.equal(ledger.state.get(entry), templateId);
      assert.equal(ledger.state.get(key('template~marketStage', 'monthly', templateId)), templateId);
    });

    void it('lets the exchange update its own templates', async () => {
      const ledger = new FakeLedger();
      await create(ledger, exchange, templateJson);
      const updated = JSON.parse(await update(ledger, exchange, cheaperJson)) as PackageTemplateRecord;
      assert.equal(updated.version, 2);
      assert.equal(updated.updatedBy?.role, 'exchange');
    });

    void it('answers content equal to the latest version with that record and writes nothing', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);
      assert.equal(await update(ledger, retailer, templateJson), created);
      assert.equal(ledger.writes.length, 9);

      const updated = await update(ledger, retailer, cheaperJson);
      const writes = ledger.writes.length;
      assert.equal(await update(ledger, otherRetailer, cheaperJson, evenLater), updated);
      assert.equal(ledger.writes.length, writes);
    });

    void it('writes a new version for content equal to an older, not the latest, version', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      await update(ledger, retailer, cheaperJson);
      const reverted = JSON.parse(await update(ledger, retailer, templateJson, evenLater)) as PackageTemplateRecord;
      assert.equal(reverted.version, 3);
      assert.equal(reverted.priceTerms.model === 'fixed' && reverted.priceTerms.price, '412.50');
      assert.deepEqual([reverted.createdAt, reverted.createdBy.id], [txTime.toISOString(), retailer.id]);
      assert.equal(reverted.updatedAt, evenLater.toISOString());
    });

    void it("refuses an author of another role or organisation than the template's as FORBIDDEN_ROLE, and writes nothing", async () => {
      for (const [creator, intruder] of [
        [retailer, exchange],
        [exchange, retailer],
      ] as const) {
        const ledger = new FakeLedger();
        await create(ledger, creator, templateJson);
        await assert.rejects(
          update(ledger, intruder, cheaperJson),
          contractError('FORBIDDEN_ROLE', new RegExp(`.*belongs to role '${String(creator.role)}' of ${creator.mspId}`)),
        );
        await assert.rejects(update(ledger, intruder, templateJson), contractError('FORBIDDEN_ROLE'));
        assert.equal(ledger.writes.length, 9);
      }
    });

    void it('refuses roles that may not author before reading their input, and forged roles', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      for (const caller of [consumer, regulator]) {
        await assert.rejects(update(ledger, caller, 'not even JSON'), contractError('FORBIDDEN_ROLE', /.*may not update/));
      }
      await assert.rejects(update(ledger, forged, cheaperJson), contractError('FORBIDDEN_ROLE', /.*not issued by/));
      assert.equal(ledger.writes.length, 9);
    });

    void it('answers NOT_FOUND for a template that does not exist, and writes nothing', async () => {
      const ledger = new FakeLedger();
      await assert.rejects(update(ledger, retailer, templateJson), contractError('NOT_FOUND', /package template 'js-2025-01-fixed'/));
      assert.equal(ledger.writes.length, 0);
    });

    void it('refuses an invalid template as INVALID_ARGUMENT naming the field, and writes nothing', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      await assert.rejects(update(ledger, retailer, withFields({ version: 2 })), contractError('INVALID_ARGUMENT', /version is not a known field/));
      assert.equal(ledger.writes.length, 9);
    });

    void it('refuses a version beyond what a version key can hold as CONFLICT, and writes nothing', async () => {
      const ledger = new FakeLedger();
      await create(ledger, retailer, templateJson);
      const latest = JSON.parse(ledger.state.get(key('template', templateId)) ?? '') as PackageTemplateRecord;
      ledger.state.set(key('template', templateId), stableStringify({ ...latest, version: MAX_VERSION }));
      await assert.rejects(update(ledger, retailer, cheaperJson), contractError('CONFLICT', /.*last version, 999999/));
      assert.equal(ledger.writes.length, 9);
    });

    void it('writes the same bytes on every endorser', async () => {
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(cheaperJson) as object).reverse()));
      const [first, second] = [new FakeLedger(), new FakeLedger()];
      for (const [ledger, json] of [
        [first, cheaperJson],
        [second, reordered],
      ] as const) {
        await create(ledger, retailer, templateJson);
        await update(ledger, otherRetailer, json);
      }
      assert.deepEqual(first.state, second.state);
      assert.equal(
        first.state.get(key('templateVersion', templateId, '000002')),
        '{"createdAt":"2025-01-15T08:30:00.123Z",' +
          '"createdBy":{"id":"x509::CN=retailer1::CN=ca.retailerorg","mspId":"RetailerOrgMSP","role":"retailer"},' +
          '"id":"js-2025-01-fixed","marketStage":"monthly","name":"江苏 2025年1月 固定价格套餐",' +
          '"priceTerms":{"model":"fixed","price":"399.00"},"region":"Jiangsu","targetUserType":"commercial",' +
          '"updatedAt":"2025-01-15T08:31:00.000Z",' +
          '"updatedBy":{"id":"x509::CN=retailer2::CN=ca.retailerorg","mspId":"RetailerOrgMSP","role":"retailer"},' +
          '"validFrom":"2025-01-01","validTo":"2025-02-01","version":2}',
      );
    });
  });

  void describe('ReadPackageTemplateVersion and ListPackageTemplateVersions', () => {
    async function threeVersions(): Promise<{ ledger: FakeLedger; versions: string[] }> {
      const ledger = new FakeLedger();
      const versions = [
        await create(ledger, retailer, templateJson),
        await update(ledger, retailer, cheaperJson),
        await update(ledger, retailer, withFields({ region: 'Anhui' }), evenLater),
      ];
      return { ledger, versions };
    }

    void it('reads every version as written, for every role', async () => {
      const { ledger, versions } = await threeVersions();
      for (const reader of [retailer, exchange, regulator, consumer]) {
        for (const [index, version] of versions.entries()) {
          assert.equal(await readVersion(ledger, reader, templateId, String(index + 1)), version);
        }
      }
    });

    void it('lists every version oldest first, as one JSON array of the stored records', async () => {
      const { ledger, versions } = await threeVersions();
      assert.equal(await listVersions(ledger, regulator, templateId), `[${versions.join(',')}]`);
    });

    void it('lists one template only, not templates whose id it begins', async () => {
      const { ledger } = await threeVersions();
      await create(ledger, retailer, withFields({ id: `${templateId}-b` }));
      const listed = JSON.parse(await listVersions(ledger, consumer, templateId)) as PackageTemplateRecord[];
      assert.deepEqual(
        listed.map((record) => [record.id, record.version]),
        [1, 2, 3].map((version) => [templateId, version]),
      );
    });

    void it('answers NOT_FOUND for a version or a template that does not exist', async () => {
      const { ledger } = await threeVersions();
      await assert.rejects(readVersion(ledger, consumer, templateId, '4'), contractError('NOT_FOUND', /.*has no version 4/));
      await assert.rejects(readVersion(ledger, consumer, 'no-such-template', '1'), contractError('NOT_FOUND'));
      await assert.rejects(listVersions(ledger, consumer, 'no-such-template'), contractError('NOT_FOUND', /package template 'no-such-template'/));
    });

    void it('refuses a malformed version or id as INVALID_ARGUMENT', async () => {
      const { ledger } = await threeVersions();
      for (const version of ['', '0', '01', '1.0', '-1', ' 1', 'one', '1000000']) {
        await assert.rejects(readVersion(ledger, consumer, templateId, version), contractError('INVALID_ARGUMENT', /version must be/));
      }
      await assert.rejects(readVersion(ledger, consumer, 'a/b', '1'), contractError('INVALID_ARGUMENT', /id must be/));
      await assert.rejects(listVersions(ledger, consumer, 'a/b'), contractError('INVALID_ARGUMENT', /id must be/));
    });

    void it('refuses callers without a genuine role', async () => {
      const { ledger } = await threeVersions();
      await assert.rejects(readVersion(ledger, forged, templateId, '1'), contractError('FORBIDDEN_ROLE'));
      await assert.rejects(listVersions(ledger, { mspId: 'RetailerOrgMSP', role: null }, templateId), contractError('FORBIDDEN_ROLE'));
    });
  });

  void describe('QueryPackageTemplates', () => {
    const REGIONS = ['Jiangsu', 'Anhui', 'Zhejiang'] as const;

    /** One template per region, stage and user type: 36, more than a default page. */
    const catalog = REGIONS.flatMap((region) =>
      MARKET_STAGES.flatMap((marketStage) =>
        TARGET_USER_TYPES.map((targetUserType) => ({
          ...monthlyFixedTemplate,
          // Not in creation order, so that id order is the contract's doing.
          id: `${targetUserType}-${marketStage}-${region.toLowerCase()}`,
          region,
          marketStage,
          targetUserType,
        })),
      ),
    );
    type Template = (typeof catalog)[number];

    async function catalogLedger(): Promise<FakeLedger> {
      const ledger = new FakeLedger();
      for (const [index, template] of catalog.entries()) {
        await create(ledger, index % 2 === 0 ? retailer : exchange, JSON.stringify(template));
      }
      return ledger;
    }

    function idsMatching(filter: Partial<Template>): string[] {
      const entries = Object.entries(filter) as [keyof Template, unknown][];
      return catalog
        .filter((template) => entries.every(([name, value]) => template[name] === value))
        .map((template) => template.id)
        .sort();
    }

    function ids(pages: readonly Page[]): string[] {
      return pages.flatMap((page) => page.records.map((record) => record.id));
    }

    void it('answers every filter, by each attribute, each combination and none, with exactly the matches in id order', async () => {
      const ledger = await catalogLedger();
      const choices = { region: REGIONS, marketStage: MARKET_STAGES, targetUserType: TARGET_USER_TYPES };
      // Every filter: each attribute absent or set to each of its values.
      let filters: Partial<Template>[] = [{}];
      for (const [name, values] of Object.entries(choices)) {
        filters = filters.flatMap((filter) => [filter, ...values.map((value) => ({ ...filter, [name]: value }))]);
      }
      assert.equal(filters.length, 4 * 4 * 5);
      for (const filter of filters) {
        const pages = await queryAll(ledger, { ...filter, pageSize: 5 });
        assert.deepEqual(ids(pages), idsMatching(filter), JSON.stringify(filter));
        for (const page of pages) assert.equal(page.fetched, page.records.length);
      }
    });

    void it('pages through more templates than a page holds, each once, ending with an empty bookmark', async () => {
      const ledger = await catalogLedger();
      const pages = await queryAll(ledger, { pageSize: 10 });
      assert.deepEqual(
        pages.map((page) => [page.records.length, page.fetched, page.bookmark !== '']),
        [
          [10, 10, true],
          [10, 10, true],
          [10, 10, true],
          [6, 6, false],
        ],
      );
      assert.deepEqual(ids(pages), idsMatching({}));
    });

    void it('ends on a full last page when the matches divide into pages evenly', async () => {
      const ledger = await catalogLedger();
      const pages = await queryAll(ledger, { marketStage: 'spot', pageSize: 6 });
      assert.deepEqual(
        pages.map((page) => page.records.length),
        [6, 6],
      );
      assert.deepEqual(ids(pages), idsMatching({ marketStage: 'spot' }));
    });

    void it('returns 20 templates to a page unless told otherwise, and the stored records', async () => {
      const ledger = await catalogLedger();
      const page = await query(ledger, regulator, {});
      assert.equal(page.records.length, 20);
      const [first] = page.records;
      assert.ok(first);
      assert.equal(stableStringify(first), await read(ledger, consumer, first.id));
    });

    void it('answers a filter nothing matches with an empty last page', async () => {
      const ledger = await catalogLedger();
      assert.deepEqual(await query(ledger, consumer, { region: 'Hubei' }), { records: [], bookmark: '', fetched: 0 });
    });

    void it('returns the latest version of each template, and finds an updated template by its new attributes only', async () => {
      const ledger = await catalogLedger();
      const [moved] = catalog;
      assert.ok(moved);
      await update(ledger, retailer, JSON.stringify({ ...moved, region: 'Anhui', name: 'moved' }));

      const inAnhui = ids(await queryAll(ledger, { region: 'Anhui', marketStage: moved.marketStage }));
      assert.ok(inAnhui.includes(moved.id));
      assert.ok(!ids(await queryAll(ledger, { region: 'Jiangsu' })).includes(moved.id));
      const found = (await queryAll(ledger, { targetUserType: moved.targetUserType })).flatMap((page) => page.records);
      assert.deepEqual(
        found.filter((record) => record.id === moved.id).map((record) => [record.version, record.name, record.region]),
        [[2, 'moved', 'Anhui']],
      );
    });

    void it('writes the same bytes for the same ledger, with keys sorted', async () => {
      const ledger = new FakeLedger();
      const created = await create(ledger, retailer, templateJson);
      const answer = await contract.QueryPackageTemplates(templateContext(ledger, consumer, later), '{"pageSize":1,"region":"Jiangsu"}');
      assert.equal(answer, `{"bookmark":"","fetched":1,"records":[${created}]}`);
    });

    void it('hands out URL-safe bookmarks', async () => {
      const ledger = await catalogLedger();
      const { bookmark } = await query(ledger, consumer, { region: 'Jiangsu', pageSize: 3 });
      assert.match(bookmark, /^[A-Za-z0-9_-]+$/);
    });

    void it("refuses a bookmark from another filter's query, or not from a query at all, as INVALID_ARGUMENT", async () => {
      const ledger = await catalogLedger();
      const { bookmark } = await query(ledger, consumer, { region: 'Jiangsu', pageSize: 3 });
      for (const other of [{ region: 'Anhui' }, {}, { region: 'Jiangsu', marketStage: 'spot' }]) {
        await assert.rejects(query(ledger, consumer, { ...other, bookmark }), contractError('INVALID_ARGUMENT', /bookmark/));
      }
      await assert.rejects(query(ledger, consumer, { bookmark: 'not a bookmark' }), contractError('INVALID_ARGUMENT', /bookmark must be/));
    });

    void it('refuses a malformed query as INVALID_ARGUMENT naming the field', async () => {
      const ledger = await catalogLedger();
      await assert.rejects(query(ledger, consumer, { pageSize: 101 }), contractError('INVALID_ARGUMENT', /pageSize must be/));
      await assert.rejects(query(ledger, consumer, { marketStage: 'weekly' }), contractError('INVALID_ARGUMENT', /marketStage must be/));
      await assert.rejects(
        contract.QueryPackageTemplates(templateContext(ledger, consumer, txTime), '{'),
        contractError('INVALID_ARGUMENT', /queryJson must be JSON/),
      );
    });

    void it('checks the caller first, and writes nothing', async () => {
      const ledger = await catalogLedger();
      const writes = ledger.writes.length;
      await assert.rejects(
        contract.QueryPackageTemplates(templateContext(ledger, forged, txTime), 'not even JSON'),
        contractError('FORBIDDEN_ROLE'),
      );
      await queryAll(ledger, { pageSize: 7 });
      assert.equal(ledger.writes.length, writes);
    });
  });
});
