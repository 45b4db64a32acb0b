#!/usr/bin/env node
import { command, dashboardsDir, energysale, runCli, type Cli } from '@energysale/network';

import { staleFiles, writeGenerated } from './files';

export const dashboardsCli: Cli = {
  name: 'dashboards',
  summary: 'Prometheus rules and Grafana dashboards generated from the model into dashboards/.',
  commands: [
    command({
      name: 'generate',
      summary: 'write every generated file under dashboards/',
      usage: 'generate',
      help: 'Writes every generated file (recording and alert rules, Grafana dashboards) under dashboards/.',
      options: {},
      run: async () => {
        for (const file of await writeGenerated(energysale)) console.log(`wrote ${file}`);
        return 0;
      },
    }),
    command({
      name: 'check',
      summary: 'exit 1 when a committed file differs from what generate writes',
      usage: 'check',
      help: 'Compares the files under dashboards/ with what `generate` writes: exit 0 when they are the same, 1 (each stale file named) otherwise.',
      options: {},
      run: async () => {
        const stale = await staleFiles(energysale);
        for (const path of stale) console.error(`out of date: ${dashboardsDir}/${path}`);
        if (stale.length === 0) console.log('dashboards/ is up to date');
        return stale.length === 0 ? 0 : 1;
      },
    }),
  ],
};

// Run as the dashboards CLI; imported (by its test), the table alone.
if (require.main === module) runCli(dashboardsCli);
