/**
 * Writes a report directory and renders it again from what it holds:
 *
 *   summary.json   the ReportData with its schema version: the one source of every figure
 *   summary.csv    one row per scenario × engine (csv.ts)
 *   report.md      the document as Markdown, charts linked from charts/
 *   report.html    the same document, self-contained, charts inline
 *   charts/*.svg   each chart once more as a file
 *   raw/           what the run produced, kept as given
 *
 * Rendering reads summary.json and raw/: `regenerate` derives every load figure and chain count
 * again from raw/ (rederive.ts), refuses a summary.json that states them otherwise, and reproduces
 * md, html, csv and charts byte for byte.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { toCsv } from './csv';
import { buildDocument, chartsOf, type Block, type Cell, type RawFile, type ReportDocument, type Table } from './document';
import { rederive } from './rederive';
import { READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION, type ReportData, type RunMeta } from './schema';
import { escapeXml } from './svg';
import { InvalidReportError, validateReport } from './validate';

export interface ReportFiles {
  dir: string;
  summaryJson: string;
  summaryCsv: string;
  reportMd: string;
  reportHtml: string;
  charts: string[];
  raw: string[];
}

/** Relative paths whose segments never start with a dot: no `..`, no hidden files, nothing outside raw/. */
const RAW_NAME = /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*(\/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$/;

/**
 * `reports/` directory name of a run: `<date>T<hhmm>_<name>_<short sha>`, `-dirty` when the tree
 * was; the time keeps two runs of a day at one commit apart.
 */
export function reportDirName(meta: Pick<RunMeta, 'startedAt' | 'name' | 'commit'>): string {
  const when = `${meta.startedAt.slice(0, 13)}${meta.startedAt.slice(14, 16)}`;
  return `${when}_${meta.name}_${meta.commit.sha.slice(0, 7)}${meta.commit.dirty ? '-dirty' : ''}`;
}

function markdownText(text: string): string {
  return text.replace(/[\\`*[\]|]/g, (c) => `\\${c}`).replace(/[&<>]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt' }[c] ?? ''};`);
}

const cellText = (cell: Cell): string => (typeof cell === 'string' ? cell : cell.text);

function markdownTable(table: Table): string {
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    row(table.columns.map((c) => markdownText(c.title))),
    row(table.columns.map((c) => (c.numeric ? '---:' : '---'))),
    ...table.rows.map((r) => row(r.map((cell) => markdownText(cellText(cell))))),
  ].join('\n');
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return markdownText(block.text);
    case 'heading':
      return `### ${markdownText(block.text)}`;
    case 'list':
      return block.items.map((item) => `- ${markdownText(item)}`).join('\n');
    case 'links':
      return block.links.map((l) => `- [${markdownText(l.text)}](${l.href}) (${markdownText(l.note)})`).join('\n');
    case 'table':
      return markdownTable(block.table);
    case 'charts':
      return block.charts.map((c) => `![${markdownText(c.title)}](charts/${c.id}.svg)`).join('\n\n');
  }
}

export function toMarkdown(document: ReportDocument): string {
  const parts = [`# ${markdownText(document.title)}`];
  for (const section of document.sections) {
    parts.push(`## ${markdownText(section.title)}`);
    for (const block of section.blocks) {
      const text = markdownBlock(block);
      if (text !== '') parts.push(text);
    }
  }
  return `${parts.join('\n\n')}\n`;
}

const STYLE = `
body { margin: 0; background: #fafafa; color: #222; font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 48px; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 18px 0 6px; }
nav { font-size: 13px; color: #555; }
nav a { margin-right: 12px; color: #0b5cab; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
tr:nth-child(even) td { background: #fbfbfb; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.good { color: #11702a; font-weight: bold; }
.bad { color: #b00020; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0; }
figure { margin: 0; border: 1px solid #e5e5e5; }
figure svg { display: block; max-width: 100%; height: auto; }
`;

function htmlTable(table: Table): string {
  const cls = (numeric: boolean, extra?: string): string => {
    const names = [numeric ? 'num' : '', extra ?? ''].filter((n) => n !== '');
    return names.length === 0 ? '' : ` class="${names.join(' ')}"`;
  };
  const head = table.columns.some((c) => c.title !== '')
    ? `<thead><tr>${table.columns.map((c) => `<th${cls(c.numeric)}>${escapeXml(c.title)}</th>`).join('')}</tr></thead>`
    : '';
  const body = table.rows
    .map((r) => `<tr>${r.map((cell, i) => `<td${cls(table.columns[i]?.numeric ?? false, typeof cell === 'string' ? undefined : cell.tone)}>${escapeXml(cellText(cell))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>${head}<tbody>\n${body}\n</tbody></table>`;
}

function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeXml(block.text)}</p>`;
    case 'heading':
      return `<h3>${escapeXml(block.text)}</h3>`;
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${escapeXml(item)}</li>`).join('')}</ul>`;
    case 'links':
      return `<ul>${block.links.map((l) => `<li><a href="${escapeXml(l.href)}">${escapeXml(l.text)}</a> (${escapeXml(l.note)})</li>`).join('')}</ul>`;
    case 'table':
      return htmlTable(block.table);
    case 'charts':
      return block.charts.length === 0 ? '' : `<div class="charts">\n${block.charts.map((c) => `<figure id="chart-${escapeXml(c.id)}">\n${c.svg}\n</figure>`).join('\n')}\n</div>`;
  }
}

const anchorOf = (index: number): string => `section-${index + 1}`;

/** One file, nothing fetched: the policy forbids any load beyond the inline style and SVG. */
export function toHtml(document: ReportDocument): string {
  const sections = document.sections.map(
    (section, i) => `<section id="${anchorOf(i)}">\n<h2>${escapeXml(section.title)}</h2>\n${section.blocks.map(htmlBlock).filter((b) => b !== '').join('\n')}\n</section>`,
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(document.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeXml(document.title)}</h1>`,
    `<nav>${document.sections.map((s, i) => `<a href="#${anchorOf(i)}">${escapeXml(s.title)}</a>`).join('')}</nav>`,
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Every rendered file of a report, by path relative to its directory. */
export function renderFiles(data: ReportData, raw: readonly RawFile[]): Map<string, string> {
  const document = buildDocument(data, raw);
  const files = new Map<string, string>([
    ['summary.csv', toCsv(data)],
    ['report.md', toMarkdown(document)],
    ['report.html', toHtml(document)],
  ]);
  for (const chart of chartsOf(document)) files.set(`charts/${chart.id}.svg`, `${chart.svg}\n`);
  return files;
}

function summaryJson(data: ReportData): string {
  return `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...data }, null, 2)}\n`;
}

async function writeAll(dir: string, files: ReadonlyMap<string, string | Buffer>): Promise<string[]> {
  const written: string[] = [];
  for (const [name, content] of files) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}

async function render(dir: string, data: ReportData, raw: readonly RawFile[], rawPaths: string[]): Promise<ReportFiles> {
  await rm(join(dir, 'charts'), { recursive: true, force: true });
  const files = renderFiles(data, raw);
  await writeAll(dir, files);
  return {
    dir,
    summaryJson: join(dir, 'summary.json'),
    summaryCsv: join(dir, 'summary.csv'),
    reportMd: join(dir, 'report.md'),
    reportHtml: join(dir, 'report.html'),
    charts: [...files.keys()].filter((name) => name.startsWith('charts/')).map((name) => join(dir, name)),
    raw: rawPaths,
  };
}

const byName = (a: RawFile, b: RawFile): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Writes a new report into `dir` (missing or empty: a report is never written over another). The raw
 * files and summary.json are written before the data is validated, so an invalid report loses
 * nothing: fix summary.json, then `regenerate`.
 */
export async function writeReport(dir: string, data: ReportData, raw: Record<string, string | Buffer>): Promise<ReportFiles> {
  const names = Object.keys(raw);
  const unsafe = names.filter((name) => !RAW_NAME.test(name));
  if (unsafe.length > 0) throw new Error(`raw file names must be relative paths of [A-Za-z0-9._@+-] segments: ${unsafe.join(', ')}`);
  if (!(await isEmptyOrMissing(dir))) throw new Error(`${dir} already holds files; a report is never written over another`);

  await mkdir(dir, { recursive: true });
  const rawPaths = await writeAll(join(dir, 'raw'), new Map(Object.entries(raw)));
  await writeFile(join(dir, 'summary.json'), summaryJson(data));
  const problems = validateReport(data);
  if (problems.length > 0) throw new InvalidReportError(problems);
  const rawFiles = Object.entries(raw).map(([name, content]) => ({ name, size: typeof content === 'string' ? Buffer.byteLength(content) : content.length }));
  return render(dir, data, rawFiles.sort(byName), rawPaths.sort());
}

/**
 * The ReportData in `dir`/summary.json; throws InvalidReportError listing every problem. A report of
 * schema 4 differs from 5 only in having no `ceiling`: it is read with `ceiling: null` (not compared);
 * one of 4 or 5 without tuning steps is read as one of 6.
 */
export async function readReport(dir: string): Promise<ReportData> {
  const parsed: unknown = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('schemaVersion' in parsed)) throw new InvalidReportError(['summary.json: schemaVersion missing']);
  const { schemaVersion, ...stored } = parsed;
  if (typeof schemaVersion !== 'number' || !READABLE_SCHEMA_VERSIONS.includes(schemaVersion)) {
    throw new InvalidReportError([`summary.json: schema version ${JSON.stringify(schemaVersion)}, this renderer reads ${READABLE_SCHEMA_VERSIONS.slice(0, -1).join(', ')} and ${String(SCHEMA_VERSION)}`]);
  }
  // Schema 4 has no ceiling (read as null); 4 and 5 stored tuning steps without their repeats (only a report without steps reads as 6).
  const older = schemaVersion < SCHEMA_VERSION;
  if (older && 'tuning' in stored && Array.isArray(stored.tuning) && stored.tuning.length > 0) {
    throw new InvalidReportError([`summary.json: schema ${schemaVersion} tuning steps lack the repeats their figures come from (schema ${SCHEMA_VERSION}): not readable`]);
  }
  const data = schemaVersion === 4 ? { ...stored, ceiling: null } : stored;
  const problems = validateReport(data);
  if (problems.length > 0) throw new InvalidReportError(problems);
  return data as ReportData;
}

async function rawFilesIn(dir: string): Promise<RawFile[]> {
  const rawDir = join(dir, 'raw');
  let entries: string[];
  try {
    entries = await readdir(rawDir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: RawFile[] = [];
  for (const entry of entries) {
    const info = await stat(join(rawDir, entry));
    if (info.isFile()) files.push({ name: entry.split(/[\\/]/).join('/'), size: info.size });
  }
  return files.sort(byName);
}

/**
 * Renders md, html, csv and charts of the report in `dir` again: every load figure and chain count
 * derived again from raw/ and compared with summary.json (rederive.ts: a figure that differs is a
 * FigureMismatchError naming it), the comparison with the ceiling derived again from the ceiling
 * report it names (relative to `root`, the repository's), the document made from the re-derived figures.
 */
export async function regenerate(dir: string, root?: string): Promise<ReportFiles & { rederivedFigures: number }> {
  const { data, figures } = await rederive(dir, await readReport(dir), root);
  const raw = await rawFilesIn(dir);
  return { ...(await render(dir, data, raw, raw.map((f) => join(dir, 'raw', f.name)))), rederivedFigures: figures };
}
