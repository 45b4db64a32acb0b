import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { cpuPercentQuery, dashboardsDir, energysale, memoryPercentQuery, RESOURCE_SUBJECTS, type Topology } from '@energysale/network';

import { RECORDED, RESOURCE_RECORDS } from '../metrics';
import { RULE_FILE, ruleFiles } from '.';


/*
 * The rules as the code generates them: valid for Prometheus, passing the hand-written promtool
 * unit tests under dashboards/rules/tests/, complete, and identical to the committed copies.
 */

interface RuleFile {
  groups: { name: string; interval: string; rules: Record<string, unknown>[] }[];
}

interface PromtoolTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[]; promql_expr_test?: { expr: string }[] }[];
}

const TESTS_DIR = join(dashboardsDir, 'rules', 'tests');
const TEST_FILES = readdirSync(TESTS_DIR).filter((name) => name.endsWith('.test.yml')).sort();

const generated = new Map(ruleFiles(energysale));

function generatedText(path: string): string {
  const text = generated.get(path);
  assert.ok(text !== undefined, `${path} is not generated`);
  return text;
}

const rulesOf = (path: string): Record<string, unknown>[] => (parse(generatedText(path)) as RuleFile).groups.flatMap((g) => g.rules);

interface PromtoolResult {
  readonly code: number;
  readonly output: string;
}

/** promtool's exit code and output; throws only when it could not run at all. */
async function promtool(args: readonly string[]): Promise<PromtoolResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const withScrapeInterval = (scrapeInterval: string): Topology => ({ ...energysale, monitoring: { ...energysale.monitoring, scrapeInterval } });

void describe('rule files', () => {
  /** dashboards/ in miniature: the generated rules, and the committed tests beside them where their rule_files expect them. */
  let root = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'rules-'));
    for (const [path, text] of generated) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    await mkdir(join(root, 'rules', 'tests'), { recursive: true });
    for (const name of TEST_FILES) await copyFile(join(TESTS_DIR, name), join(root, 'rules', 'tests', name));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it('are the recording rules and the alerts, where prometheus.yml looks for them', () => {
    assert.deepEqual([...generated.keys()], [RULE_FILE.recording, RULE_FILE.alerts]);
    for (const path of generated.keys()) assert.match(path, /^rules\/[^/]+\.yml$/);
  });

  void it('are each accepted by Prometheus (promtool check rules)', async () => {
    for (const path of generated.keys()) {
      const { code, output } = await promtool(['check', 'rules', join(root, path)]);
      assert.equal(code, 0, output);
      assert.match(output, /SUCCESS: [1-9]\d* rules found/);
    }
  });

  void it('has promtool unit tests to run', () => {
    assert.ok(TEST_FILES.length > 0, `no *.test.yml under ${TESTS_DIR}`);
  });

  for (const name of TEST_FILES) {
    void it(`pass the promtool unit tests of ${name}`, async () => {
      const { code, output } = await promtool(['test', 'rules', join(root, 'rules', 'tests', name)]);
      assert.equal(code, 0, output);
      assert.match(output, /SUCCESS/);
    });
  }

  void it('record every series of the catalogue, each exactly once', () => {
    const records = rulesOf(RULE_FILE.recording).map((r) => r.record);
    assert.deepEqual([...records].sort(), Object.values(RECORDED).sort());
  });

  void it("record the report's resource figures verbatim", () => {
    const exprOf = new Map(rulesOf(RULE_FILE.recording).map((r) => [r.record, r.expr]));
    for (const subject of RESOURCE_SUBJECTS) {
      assert.equal(exprOf.get(RESOURCE_RECORDS[subject].cpu), cpuPercentQuery(subject), `${subject} CPU`);
      assert.equal(exprOf.get(RESOURCE_RECORDS[subject].memory), memoryPercentQuery(subject), `${subject} memory`);
    }
  });

  void it('give every alert a unique name, a severity, a summary and a description', () => {
    const alerts = rulesOf(RULE_FILE.alerts) as { alert: string; labels?: { severity?: unknown }; annotations?: { summary?: unknown; description?: unknown } }[];
    assert.ok(alerts.length > 0);
    assert.equal(new Set(alerts.map((a) => a.alert)).size, alerts.length, 'duplicate alert names');
    for (const a of alerts) {
      assert.ok(a.labels?.severity === 'critical' || a.labels?.severity === 'warning', `${a.alert}: severity ${String(a.labels?.severity)}`);
      assert.ok(typeof a.annotations?.summary === 'string' && a.annotations.summary !== '', `${a.alert}: no summary`);
      assert.ok(typeof a.annotations.description === 'string' && a.annotations.description !== '', `${a.alert}: no description`);
    }
  });

  void it('have every alert unit-tested both firing and quiet', async () => {
    const cases = [];
    for (const name of TEST_FILES) {
      const file = parse(await readFile(join(TESTS_DIR, name), 'utf8')) as PromtoolTestFile;
      cases.push(...file.tests.flatMap((t) => t.alert_rule_test ?? []));
    }
    for (const { alert } of rulesOf(RULE_FILE.alerts) as { alert: string }[]) {
      const mine = cases.filter((c) => c.alertname === alert);
      assert.ok(mine.some((c) => c.exp_alerts.length > 0), `${alert} is never tested firing`);
      assert.ok(mine.some((c) => c.exp_alerts.length === 0), `${alert} is never tested quiet`);
    }
  });

  void it('have every load and ledger series unit-tested by value (the resource figures are tested where they are written)', async () => {
    const exprs: string[] = [];
    for (const name of TEST_FILES) {
      const file = parse(await readFile(join(TESTS_DIR, name), 'utf8')) as PromtoolTestFile;
      exprs.push(...file.tests.flatMap((t) => (t.promql_expr_test ?? []).map((e) => e.expr)));
    }
    const resources = new Set(Object.values(RESOURCE_RECORDS).flatMap((r) => [r.cpu, r.memory]));
    for (const record of Object.values(RECORDED).filter((r) => !resources.has(r))) {
      assert.ok(exprs.some((e) => e.includes(record)), `no promql_expr_test reads ${record}`);
    }
  });

  void it('evaluate every scrape and rate over ten scrapes, following the scrape interval', () => {
    const text = new Map(ruleFiles(withScrapeInterval('2s'))).get(RULE_FILE.recording) ?? '';
    const groups = (parse(text) as RuleFile).groups;
    assert.ok(groups.every((g) => g.interval === '2s'), JSON.stringify(groups.map((g) => g.interval)));
    const loadWindows = new Set([...text.matchAll(/\brate\([^)]*\[(\w+)\]/g)].map((m) => m[1]));
    assert.deepEqual([...loadWindows], ['20s']);
    assert.throws(() => ruleFiles(withScrapeInterval('soon')), /monitoring\.scrapeInterval/);
  });

  void it('are committed under dashboards/ as generated (regenerate: npm run dashboards -- generate)', async () => {
    for (const [path, text] of generated) {
      const committed = await readFile(join(dashboardsDir, path), 'utf8').catch(() => undefined);
      assert.equal(committed, text, `dashboards/${path} is out of date`);
    }
  });
});
