import { join } from 'node:path';
import { describe, it } from 'node:test';

import { cliChecks } from '@energysale/network';

import { serviceCli } from './cli';

void describe('the service CLI', () => {
  for (const { name, check } of cliChecks(serviceCli, join(__dirname, 'cli.js'))) void it(name, check);
});
