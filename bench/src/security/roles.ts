import type { TokenIssuer } from '@energysale/service';

import { orderTerms, type Fixture } from '../table4/prepare';
import { apiCall, bearer, type ApiAnswer } from '../table4/api';
import { describeState, illegalAttempts, reachableStates, stepRequest, type Actor } from './matrix';

/*
 * Runs the role × transition matrix (matrix.ts) through the service: one real order per reachable
 * state, every illegal step tried on it by every actor, each refusal checked, and the order read
 * back unchanged.
 */

export interface MatrixViolation {
  readonly state: string;
  readonly action: string;
  readonly actor: Actor;
  readonly status: number;
  readonly why: string;
}

export interface MatrixResult {
  readonly states: number;
  readonly attempts: number;
  readonly refused: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly violations: readonly MatrixViolation[];
}

export class MatrixSetupError extends Error {
  override readonly name = 'MatrixSetupError';
}

/** `fixture`: two users of it (the party, and an outsider), its seller and package (see `prepare`). */
export async function runRoleMatrix(fixture: Fixture, tokens: TokenIssuer, baseUrl: string, log: (line: string) => void): Promise<MatrixResult> {
  const [user, outsider] = fixture.users;
  if (!user || !outsider) throw new MatrixSetupError('the fixture has no two users');
  const token: Readonly<Record<Actor, string>> = {
    user: user.token,
    retailer: tokens.issue({ org: 'retailer', user: 'retailer1' }),
    exchange: tokens.issue({ org: 'exchange', user: 'exchange1' }),
    regulator: tokens.issue({ org: 'exchange', user: 'regulator1' }),
    outsider: outsider.token,
  };
  const call = (actor: Actor, method: string, path: string, body?: unknown): Promise<ApiAnswer> => apiCall(baseUrl, bearer(token[actor]), method, path, body);
  const must = async (actor: Actor, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const { status, json } = await call(actor, method, path, body);
    if (status >= 300) throw new MatrixSetupError(`${actor} ${method} ${path}: ${status} ${JSON.stringify(json)}`);
    return json;
  };
  const attempts = illegalAttempts();
  const states = reachableStates().filter(({ state }) => state.status !== 'deleted');
  log(`role matrix: ${states.length} states, ${attempts.length} illegal steps to try`);
  const violations: MatrixViolation[] = [];
  const byStatus: Record<string, number> = {};
  let refused = 0;
  await Promise.all(
    states.map(async ({ state, path }, i) => {
      const id = `${fixture.runId}-m${i}`;
      await must('user', 'POST', '/orders', { id, packageId: fixture.packageId, content: 'role matrix', seller: fixture.seller, terms: orderTerms() });
      for (const step of path) {
        // The parties put the contract text on record before they sign (as the flow does after the review).
        if (step.action === 'sign' && step.by === 'user') {
          await must('user', 'POST', `/orders/${id}/contract-text`, { text: `contract ${id}` });
          await must('retailer', 'POST', `/orders/${id}/contract-text`, { text: `contract ${id}` });
        }
        const request = stepRequest(id, step.action);
        await must(step.by, request.method, request.path, request.body);
      }
      const before = await must('user', 'GET', `/orders/${id}`);
      if (before.stage !== state.stage || before.status !== state.status) throw new MatrixSetupError(`${id} should be ${describeState(state)}, is ${String(before.stage)}/${String(before.status)}`);
      for (const attempt of attempts.filter((a) => a.state === state)) {
        const request = stepRequest(id, attempt.action);
        const { status } = await call(attempt.actor, request.method, request.path, request.body);
        byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
        if (status >= 400 && status < 500) refused++;
        else violations.push({ state: describeState(state), action: attempt.action, actor: attempt.actor, status, why: status < 400 ? 'an illegal step was accepted' : 'not a refusal (5xx)' });
      }
      const after = await must('user', 'GET', `/orders/${id}`);
      for (const field of ['stage', 'status', 'nextOperator', 'historyLength'] as const) {
        if (JSON.stringify(after[field]) !== JSON.stringify(before[field])) {
          violations.push({ state: describeState(state), action: '(all refused steps)', actor: 'user', status: 200, why: `the order's ${field} changed: ${JSON.stringify(before[field])} -> ${JSON.stringify(after[field])}` });
        }
      }
    }),
  );
  return { states: states.length, attempts: attempts.length, refused, byStatus, violations };
}
