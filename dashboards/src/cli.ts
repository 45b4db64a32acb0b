#!/usr/bin/env node
import { dashboardsDir, energysale } from '@energysale/network';

import { staleFiles, writeGenerated } from './files';

/*
 * npm run dashboards -- generate   writes every generated file under dashboards/
 * npm run dashboards -- check      exits 1 when a committed file differs from what generate writes
 */
async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'generate': {
      for (const file of await writeGenerated(energysale)) console.log(`wrote ${file}`);
      return 0;
    }
    case 'check': {
      const stale = await staleFiles(energysale);
      for (const path of stale) console.error(`out of date: ${dashboardsDir}/${path}`);
      if (stale.length === 0) console.log('dashboards/ is up to date');
      return stale.length === 0 ? 0 : 1;
    }
    default:
      console.error('usage: npm run dashboards -- <generate|check>');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
