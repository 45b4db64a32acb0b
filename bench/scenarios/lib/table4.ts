/**
 * What Table 4's two tests share as scripts: USERS virtual users in a closed loop for DURATION
 * after a WARMUP scenario (k6's way of a warm-up: a scenario before the measured one, whose figures
 * stay apart), the paper's figures as thresholds on the measured scenario, and the fixture (a
 * harness that prepared one names its file in __ENV.TABLE4_FIXTURE).
 */
import type { Options } from '@energysale/bench/script';
import network, { type Fixture } from '@energysale/bench/script/network';

import { envNumber } from './retail';

export const USERS = envNumber('USERS', 30);

export function table4Options(test: 'add_order' | 'order_query'): Options {
  const warmup = __ENV.WARMUP ?? '30s';
  return {
    scenarios: {
      warmup: { executor: 'constant-vus', vus: USERS, duration: warmup, gracefulStop: '0s' },
      [test]: { executor: 'constant-vus', vus: USERS, duration: __ENV.DURATION ?? '10m', startTime: warmup, tags: { test } },
    },
    thresholds: network.paperThresholds(test),
    setupTimeout: '5m',
  };
}

export interface Table4Data {
  readonly fixture: Fixture;
  readonly baseUrl: string;
}

export async function table4Setup(preloadOrdersPerUser: number): Promise<Table4Data> {
  return { fixture: await network.table4Fixture({ users: USERS, preloadOrdersPerUser }), baseUrl: network.baseUrl() };
}
