/**
 * node bench/dist/report/cli.js render <dir>     derive every load figure again from raw/, check summary.json
 *                                                 against it, render md, html, csv and charts from it
 * node bench/dist/report/cli.js validate <dir>   list what is wrong with summary.json
 */
import { readReport, regenerate } from './render';

const USAGE = 'usage: cli.js render <report dir> | validate <report dir>';

async function main(args: readonly string[]): Promise<number> {
  const [command, dir, ...extra] = args;
  if (dir === undefined || extra.length > 0 || (command !== 'render' && command !== 'validate')) {
    console.error(USAGE);
    return 2;
  }
  try {
    if (command === 'validate') {
      await readReport(dir);
      console.log(`${dir}: valid`);
    } else {
      const files = await regenerate(dir);
      console.log(`${dir}: ${files.rederivedFigures} figures derived again from raw/, as summary.json states them`);
      for (const file of [files.reportMd, files.reportHtml, files.summaryCsv, ...files.charts]) console.log(file);
    }
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
