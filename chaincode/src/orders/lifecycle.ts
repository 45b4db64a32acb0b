import type { Role } from '../identity';

/*
 * The retail contract's status fields, exactly PAPER.md Table 1, and the one table of allowed
 * transitions. Nothing else in the chaincode decides whether a step is legal.
 */

export const OPERATION_STATUSES = [
  'pending', // 待处理
  'submitted', // 已提交
  'rejected', // 驳回
  'confirmed', // 确认
  'cancelled', // 取消
  'deleted', // 删除
  'signed', // 签订
  'executing', // 执行中
  'expired', // 到期
  'disputed', // 被质疑
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const PROCESS_STAGES = [
  'drafting', // 拟订
  'review', // 审核
  'signing', // 签订
  'execution', // 执行
  'frozen', // 冻结
] as const;
export type ProcessStage = (typeof PROCESS_STAGES)[number];

/** Table 1's operators: the exchange (交易机构), the trading entity/retailer (购售实体), the user (用户). */
export const OPERATORS = ['exchange', 'retailer', 'user'] as const;
export type Operator = (typeof OPERATORS)[number];

/** The role that acts as each operator. The regulator is no operator: it never writes. */
export const OPERATOR_ROLE: Readonly<Record<Operator, Role>> = { exchange: 'exchange', retailer: 'retailer', user: 'consumer' };

/**
 * Where the exchange reviews (PAPER.md §2): after both parties confirmed (the normal flow), or at
 * submission, before the retailer sees the order (the configurable variant that skips the later
 * review step).
 */
export const REVIEW_MODES = ['after-confirmation', 'at-submission'] as const;
export type ReviewMode = (typeof REVIEW_MODES)[number];

export type OrderState = {
  readonly stage: ProcessStage;
  readonly status: OperationStatus;
  /** Who must act next; null once the order has reached an end (deleted, expired). */
  readonly nextOperator: Operator | null;
};

/** The steps of the flow: each is one transaction of the orders contract. */
export const ACTIONS = ['declare', 'confirm', 'approve', 'reject', 'sign', 'start-execution', 'expire', 'dispute', 'resolve', 'cancel', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export type Transition = {
  readonly action: Action;
  /** The operator who may take this step; a user or retailer must also be the order's own party. */
  readonly by: Operator;
  /** null: the step creates the order. */
  readonly from: OrderState | null;
  readonly to: OrderState;
  /** Only in orders declared under this review mode; both when absent. */
  readonly mode?: ReviewMode;
};

const s = (stage: ProcessStage, status: OperationStatus, nextOperator: Operator | null): OrderState => ({ stage, status, nextOperator });

/** Every state from which a party may still cancel: anything before both signatures. */
const CANCELLABLE: readonly OrderState[] = [
  s('drafting', 'submitted', 'retailer'),
  s('drafting', 'confirmed', 'user'),
  s('review', 'submitted', 'exchange'),
  s('review', 'pending', 'exchange'),
  s('signing', 'pending', 'user'),
  s('signing', 'pending', 'retailer'),
];

/** Rejected or cancelled orders, which their user may delete. */
const TERMINAL_BY_PARTY: readonly OrderState[] = [
  s('drafting', 'rejected', 'user'),
  s('review', 'rejected', 'user'),
  s('drafting', 'cancelled', 'user'),
  s('review', 'cancelled', 'user'),
  s('signing', 'cancelled', 'user'),
];

/**
 * The flow of PAPER.md §2 as data. Normal flow (review after confirmation):
 *   user declares -> retailer confirms -> user confirms -> exchange reviews -> user signs ->
 *   retailer signs -> exchange starts (supervises) execution -> expiry, or a dispute the exchange resolves.
 * With review at submission, the exchange reviews first and the parties' confirmations lead
 * straight to signing. Refusals (reject), cancellation before signing and deletion of a rejected or
 * cancelled order complete it.
 */
export const TRANSITIONS: readonly Transition[] = [
  { action: 'declare', by: 'user', from: null, to: s('drafting', 'submitted', 'retailer'), mode: 'after-confirmation' },
  { action: 'declare', by: 'user', from: null, to: s('review', 'submitted', 'exchange'), mode: 'at-submission' },
  { action: 'approve', by: 'exchange', from: s('review', 'submitted', 'exchange'), to: s('drafting', 'submitted', 'retailer'), mode: 'at-submission' },
  { action: 'confirm', by: 'retailer', from: s('drafting', 'submitted', 'retailer'), to: s('drafting', 'confirmed', 'user') },
  { action: 'confirm', by: 'user', from: s('drafting', 'confirmed', 'user'), to: s('review', 'pending', 'exchange'), mode: 'after-confirmation' },
  { action: 'confirm', by: 'user', from: s('drafting', 'confirmed', 'user'), to: s('signing', 'pending', 'user'), mode: 'at-submission' },
  { action: 'approve', by: 'exchange', from: s('review', 'pending', 'exchange'), to: s('signing', 'pending', 'user'), mode: 'after-confirmation' },
  { action: 'sign', by: 'user', from: s('signing', 'pending', 'user'), to: s('signing', 'pending', 'retailer') },
  { action: 'sign', by: 'retailer', from: s('signing', 'pending', 'retailer'), to: s('signing', 'signed', 'exchange') },
  { action: 'start-execution', by: 'exchange', from: s('signing', 'signed', 'exchange'), to: s('execution', 'executing', 'exchange') },
  { action: 'expire', by: 'exchange', from: s('execution', 'executing', 'exchange'), to: s('execution', 'expired', null) },
  { action: 'dispute', by: 'user', from: s('execution', 'executing', 'exchange'), to: s('frozen', 'disputed', 'exchange') },
  { action: 'dispute', by: 'retailer', from: s('execution', 'executing', 'exchange'), to: s('frozen', 'disputed', 'exchange') },
  { action: 'resolve', by: 'exchange', from: s('frozen', 'disputed', 'exchange'), to: s('execution', 'executing', 'exchange') },
  { action: 'reject', by: 'retailer', from: s('drafting', 'submitted', 'retailer'), to: s('drafting', 'rejected', 'user') },
  { action: 'reject', by: 'user', from: s('drafting', 'confirmed', 'user'), to: s('drafting', 'rejected', 'user') },
  { action: 'reject', by: 'exchange', from: s('review', 'submitted', 'exchange'), to: s('review', 'rejected', 'user') },
  { action: 'reject', by: 'exchange', from: s('review', 'pending', 'exchange'), to: s('review', 'rejected', 'user') },
  ...CANCELLABLE.flatMap((from): Transition[] => [
    { action: 'cancel', by: 'user', from, to: s(from.stage, 'cancelled', 'user') },
    { action: 'cancel', by: 'retailer', from, to: s(from.stage, 'cancelled', 'user') },
  ]),
  ...TERMINAL_BY_PARTY.map((from): Transition => ({ action: 'delete', by: 'user', from, to: s(from.stage, 'deleted', null) })),
];

export function sameState(a: OrderState, b: OrderState): boolean {
  return a.stage === b.stage && a.status === b.status && a.nextOperator === b.nextOperator;
}

/** The rows for `action` from `state` under `mode`, whoever may take them. */
export function transitionsFrom(action: Action, state: OrderState | null, mode: ReviewMode): Transition[] {
  return TRANSITIONS.filter(
    (t) =>
      t.action === action &&
      (t.mode === undefined || t.mode === mode) &&
      (t.from === null || state === null ? t.from === state : sameState(t.from, state)),
  );
}
