import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FakeLedger } from '../testing/fake-context';
import { contractError } from '../testing/fixtures';
import { OrderContract } from './contract';
import { ACTIONS, OPERATION_STATUSES, PROCESS_STAGES, REVIEW_MODES, sameState, TRANSITIONS, transitionsFrom, type Action, type OrderState } from './lifecycle';
import { act, cast, ctxOf, seedOrder } from './testing';

const contract = new OrderContract();
type Who = keyof typeof cast;
const everyone = Object.keys(cast) as Who[];
/** Who may take a step by the table: the step's operator, and for a party step, only that party. */
const allowedFor = { user: ['buyer'], retailer: ['seller'], exchange: ['exchange'] } as const;

const steps = ACTIONS.filter((a): a is Exclude<Action, 'declare'> => a !== 'declare');
const reachable: OrderState[] = TRANSITIONS.flatMap((t) => [t.to, ...(t.from ? [t.from] : [])]).filter(
  (state, i, all) => all.findIndex((other) => sameState(other, state)) === i,
);

void describe('the transition table (Table 1)', () => {
  void it('uses only the statuses and stages of Table 1', () => {
    for (const t of TRANSITIONS) {
      for (const state of [t.from, t.to]) {
        if (!state) continue;
        assert.ok(OPERATION_STATUSES.includes(state.status), state.status);
        assert.ok(PROCESS_STAGES.includes(state.stage), state.stage);
      }
    }
  });

  void it('is deterministic: from a state, an action under a mode has at most one row per operator', () => {
    for (const mode of REVIEW_MODES) {
      for (const state of [null, ...reachable]) {
        for (const action of ACTIONS) {
          const rows = transitionsFrom(action, state, mode);
          assert.equal(new Set(rows.map((r) => r.by)).size, rows.length, `${action} from ${JSON.stringify(state)} (${mode})`);
        }
      }
    }
  });

  void it('never leaves execution for a rejection (PAPER.md §5.3b)', () => {
    for (const mode of REVIEW_MODES) {
      assert.deepEqual(transitionsFrom('reject', { stage: 'execution', status: 'executing', nextOperator: 'exchange' }, mode), []);
    }
  });

  for (const transition of TRANSITIONS) {
    if (transition.action === 'declare' || !transition.from) continue;
    const from = transition.from;
    const mode = transition.mode ?? 'after-confirmation';
    const label = `${transition.action} by ${transition.by}: ${from.stage}/${from.status} -> ${transition.to.stage}/${transition.to.status}`;
    void it(`${label}: allowed to its party, refused to every other role and party, nothing written`, async () => {
      for (const who of everyone) {
        const ledger = new FakeLedger();
        seedOrder(ledger, 'o1', from, mode);
        const call = act(contract, transition.action as Exclude<Action, 'declare'>, ctxOf(ledger, cast[who]), 'o1');
        // Another row may give the same step from the same state to the other party (cancel, dispute).
        const allowed = transitionsFrom(transition.action, from, mode).some((row) => (allowedFor[row.by] as readonly Who[]).includes(who));
        if (allowed) {
          const order = JSON.parse(await call) as OrderState & { operator: string; historyLength: number };
          const row = transitionsFrom(transition.action, from, mode).find((r) => (allowedFor[r.by] as readonly Who[]).includes(who));
          assert.ok(row && sameState(order, row.to), `${who}: ${JSON.stringify(order)}`);
          assert.equal(order.operator, row.by);
          assert.equal(order.historyLength, 2);
        } else {
          await assert.rejects(call, contractError('FORBIDDEN_ROLE'), `${who} may not ${label}`);
          assert.deepEqual(ledger.writes, [], `${who}'s refused attempt wrote`);
        }
      }
    });
  }

  void it('refuses every action the table does not allow from a state with ILLEGAL_TRANSITION, writing nothing', async () => {
    let checked = 0;
    for (const mode of REVIEW_MODES) {
      for (const state of reachable) {
        for (const action of steps) {
          if (transitionsFrom(action, state, mode).length > 0) continue;
          const ledger = new FakeLedger();
          seedOrder(ledger, 'o1', state, mode);
          // The exchange may act at any stage, so the refusal comes from the table, not the role.
          await assert.rejects(act(contract, action, ctxOf(ledger, cast.exchange), 'o1'), contractError('ILLEGAL_TRANSITION'));
          assert.deepEqual(ledger.writes, []);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `only ${checked} illegal pairs checked`);
  });
});
