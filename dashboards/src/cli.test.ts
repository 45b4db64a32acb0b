import { join } from 'node:path';
import { describe, it } from 'node:test';

import { cliChecks } from '@energysale/network';

import { dashboardsCli } from './cli';

void describe('the dashboards CLI', () => {
  for (const { name, check } of cliChecks(dashboardsCli, join(__dirname, 'cli.js'))) void it(name, check);
});
