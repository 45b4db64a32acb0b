import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { Decimal, HandleParams, Id, IdParams, Page, Price, problems, securedBy } from '../schemas/common';
import { declareOrderCall, readOrderCall } from '../fabric/calls';
import { read, readText, write, writeText } from './ledger';

const order = Type.Ref('Order');

const TermsBody = Type.Object(
  {
    quantityMWh: Decimal('energy in MWh as a decimal string, e.g. "1200.5"'),
    tradePrice: Price,
    settlementPrice: Price,
    salt: Type.Optional(Type.String({ minLength: 16, maxLength: 128, description: 'hides the terms behind their public hash; derived by the service when absent' })),
  },
  { additionalProperties: false },
);

const OrderBody = Type.Object(
  {
    id: Id,
    packageId: Id,
    packageVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 999999 })),
    content: Type.String({ minLength: 1, maxLength: 2000, description: 'the package content the user fills in' }),
    seller: Type.String({ pattern: '^[A-Za-z0-9.-]{1,64}/[^/]{1,128}$', description: 'handle of the retailer, e.g. RetailerOrgMSP/retailer1' }),
    terms: TermsBody,
  },
  { additionalProperties: false },
);

/** The steps of Table 1's flow, one route each: `POST /orders/:id/<step>`. */
const STEPS = {
  confirm: { fn: 'ConfirmOrder', reason: false, summary: 'Confirm (the retailer, then the user)' },
  approve: { fn: 'ApproveOrder', reason: false, summary: "The exchange's review: approve" },
  reject: { fn: 'RejectOrder', reason: true, summary: 'Reject (the party whose turn it is, or the exchange at review)' },
  sign: { fn: 'SignOrder', reason: false, summary: 'Sign the contract (the user, then the retailer)' },
  'start-execution': { fn: 'StartExecution', reason: false, summary: 'The exchange starts and supervises execution' },
  expire: { fn: 'ExpireOrder', reason: false, summary: 'The exchange records the end of the contract' },
  dispute: { fn: 'DisputeOrder', reason: true, summary: 'A party disputes the executing contract' },
  resolve: { fn: 'ResolveDispute', reason: true, summary: 'The exchange resolves a dispute' },
  cancel: { fn: 'CancelOrder', reason: true, summary: 'A party cancels before both signatures' },
  delete: { fn: 'DeleteOrder', reason: false, summary: 'The user deletes a rejected or cancelled order' },
} as const;

const StepBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/** Trade declaration and the retail contract lifecycle (PAPER.md §2, §5.2-5.3, Table 1). */
export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate);

  app.post('/orders', {
    schema: {
      tags: ['orders'],
      summary: 'Declare a trade order (a user); the terms stay private to the two parties; idempotent by id',
      security: securedBy,
      body: OrderBody,
      response: { 201: order, ...problems },
    },
    handler: async (request, reply) => {
      const { terms, ...declaration } = request.body;
      // A replay of the same order must hash alike, so the salt is derived from the order, not random.
      const salt = terms.salt ?? app.tokens.derive(`salt:${request.user.handle}:${declaration.id}`);
      const created = await write(request, declareOrderCall(app.topology, request.user.org.key, declaration, { ...terms, salt }));
      return reply.status(201).send(created);
    },
  });

  for (const [step, { fn, reason, summary }] of Object.entries(STEPS)) {
    app.post(`/orders/:id/${step}`, {
      // A step that takes a reason has a JSON body ({} or {reason}); the others take none.
      schema: { tags: ['orders'], summary, security: securedBy, params: IdParams, ...(reason ? { body: StepBody } : {}), response: { 200: order, ...problems } },
      handler: (request) => {
        const body = request.body as { reason?: string } | undefined;
        const args = reason ? [request.params.id, body?.reason ?? ''] : [request.params.id];
        return write(request, { contract: 'orders', fn, args });
      },
    });
  }

  app.get('/orders/:id', {
    schema: { tags: ['orders'], summary: 'The order as the caller may see it (parties: with terms)', security: securedBy, params: IdParams, response: { 200: order, ...problems } },
    handler: (request) => read(request, readOrderCall(request.params.id)),
  });

  app.get('/orders/:id/history', {
    schema: { tags: ['orders'], summary: 'Every step of the order: action, states, operator, time', security: securedBy, params: IdParams, response: { 200: Type.Array(Type.Ref('HistoryEntry')), ...problems } },
    handler: (request) => read(request, { contract: 'orders', fn: 'GetOrderHistory', args: [request.params.id] }),
  });

  app.post('/orders/:id/verify', {
    schema: {
      tags: ['orders'],
      summary: 'Check claimed terms (with their salt) against the hash on the ledger',
      security: securedBy,
      params: IdParams,
      body: Type.Object({ terms: Type.Ref('Terms') }),
      response: { 200: Type.Object({ orderId: Type.String(), matches: Type.Boolean(), onChainHash: Type.String() }), ...problems },
    },
    handler: (request) => read(request, { contract: 'orders', fn: 'VerifyTradeTerms', args: [request.params.id, JSON.stringify(request.body.terms)] }),
  });

  app.get('/participants/:msp/:name/orders', {
    schema: {
      tags: ['orders'],
      summary: "A participant's orders, a page at a time (itself, the exchange, the regulator)",
      security: securedBy,
      params: HandleParams,
      querystring: Page,
      response: { 200: Type.Object({ records: Type.Array(order), bookmark: Type.String(), fetched: Type.Integer() }), ...problems },
    },
    handler: (request) =>
      read(request, {
        contract: 'orders',
        fn: 'ListOrdersOfParticipant',
        args: [`${request.params.msp}/${request.params.name}`, String(request.query.pageSize ?? 20), request.query.bookmark ?? ''],
      }),
  });

  app.get('/trade-results', {
    schema: {
      tags: ['orders'],
      summary: 'Trade results once both parties agreed; quantity and prices only for the parties',
      security: securedBy,
      querystring: Page,
      response: { 200: Type.Object({ rows: Type.Array(Type.Object({}, { additionalProperties: true })), bookmark: Type.String(), fetched: Type.Integer() }), ...problems },
    },
    handler: (request) => read(request, { contract: 'orders', fn: 'ExportTradeResults', args: [JSON.stringify(request.query)] }),
  });

  const Mode = Type.Object({ mode: Type.Union([Type.Literal('after-confirmation'), Type.Literal('at-submission')]) });
  type ReviewMode = 'after-confirmation' | 'at-submission';
  app.get('/config/review-mode', {
    schema: { tags: ['config'], summary: 'Where the exchange reviews new orders', security: securedBy, response: { 200: Mode, ...problems } },
    handler: async (request) => ({ mode: (await readText(request, { contract: 'orders', fn: 'GetReviewMode' })) as ReviewMode }),
  });
  app.put('/config/review-mode', {
    schema: { tags: ['config'], summary: 'Set where the exchange reviews new orders (the exchange)', security: securedBy, body: Mode, response: { 200: Mode, ...problems } },
    handler: async (request) => ({ mode: (await writeText(request, { contract: 'orders', fn: 'SetReviewMode', args: [request.body.mode] })) as ReviewMode }),
  });
  await Promise.resolve();
};
