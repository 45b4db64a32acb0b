import { ACTIONS, sameState, TRANSITIONS, type Action, type Operator, type OrderState, type Transition } from '@energysale/chaincode';

/*
 * The role × transition matrix of Table 1 through the HTTP API: every state an order can reach (in
 * the default review mode, after confirmation) is reached by a real order along the flow's own
 * steps; then every step by every actor that the flow does not allow from that state is tried: each
 * must be refused (4xx) and leave the order as it was. The flow is the chaincode's own table
 * (TRANSITIONS), so the matrix follows it.
 */

/** Who acts: the order's two parties, the exchange, the regulator, and a consumer who is no party to it. */
export const ACTORS = ['user', 'retailer', 'exchange', 'regulator', 'outsider'] as const;
export type Actor = (typeof ACTORS)[number];

const MODE = 'after-confirmation';
/** Steps that take a reason. */
const WITH_REASON: ReadonlySet<Action> = new Set(['reject', 'dispute', 'resolve', 'cancel']);

export interface Step {
  readonly action: Action;
  readonly by: Operator;
}

/** Every state reachable from a declaration, with the shortest sequence of steps to it (after declaring). */
export function reachableStates(): { state: OrderState; path: Step[] }[] {
  const rows = TRANSITIONS.filter((t) => t.mode === undefined || t.mode === MODE);
  const declare = rows.find((t) => t.action === 'declare');
  if (!declare) throw new Error('the flow has no declaration');
  const found: { state: OrderState; path: Step[] }[] = [{ state: declare.to, path: [] }];
  for (let i = 0; i < found.length; i++) {
    const { state, path } = found[i] as { state: OrderState; path: Step[] };
    for (const t of rows.filter((r): r is Transition & { from: OrderState } => r.from !== null && sameState(r.from, state))) {
      if (!found.some((f) => sameState(f.state, t.to))) found.push({ state: t.to, path: [...path, { action: t.action, by: t.by }] });
    }
  }
  return found;
}

/** Whether the flow lets `actor` take `action` from `state` (only the parties and the exchange ever may). */
export function allowed(state: OrderState, action: Action, actor: Actor): boolean {
  if (actor === 'regulator' || actor === 'outsider') return false;
  return TRANSITIONS.some((t) => t.action === action && t.by === actor && (t.mode === undefined || t.mode === MODE) && t.from !== null && sameState(t.from, state));
}

/** The illegal (state, action, actor) triples: what the matrix must see refused. */
export function illegalAttempts(): { state: OrderState; path: Step[]; action: Action; actor: Actor }[] {
  return reachableStates().flatMap(({ state, path }) =>
    state.nextOperator === null && state.status === 'deleted'
      ? []
      : ACTIONS.filter((a) => a !== 'declare').flatMap((action) => ACTORS.filter((actor) => !allowed(state, action, actor)).map((actor) => ({ state, path, action, actor }))),
  );
}

/** The HTTP request of a step: `POST /orders/:id/<action>`, with a reason for the steps that take one. */
export function stepRequest(id: string, action: Action): { method: 'POST'; path: string; body?: { reason: string } } {
  return { method: 'POST', path: `/orders/${encodeURIComponent(id)}/${action}`, ...(WITH_REASON.has(action) ? { body: { reason: 'role matrix' } } : {}) };
}

export const describeState = (s: OrderState): string => `${s.stage}/${s.status}/${s.nextOperator ?? 'none'}`;
