import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { IdParams, problems, securedBy } from '../schemas/common';
import { read, write } from './ledger';

const filing = Type.Ref('Filing');

/** On-chain filing of the electronic contract text (PAPER.md §5.3c). */
export const filingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate);

  app.post('/orders/:id/contract-text', {
    schema: {
      tags: ['filing'],
      summary: 'A party submits the contract text; the ledger keeps its hash (both parties must submit the same text)',
      security: securedBy,
      params: IdParams,
      body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1_000_000 }) }, { additionalProperties: false }),
      response: { 200: filing, ...problems },
    },
    handler: (request) => write(request, { contract: 'filing', fn: 'SubmitContractText', args: [request.params.id], transient: { contractText: request.body.text } }),
  });

  app.post('/orders/:id/filing', {
    schema: {
      tags: ['filing'],
      summary: 'The exchange files the encrypted contract text on the ledger (the exchange only)',
      security: securedBy,
      params: IdParams,
      body: Type.Object({ ciphertext: Type.String({ minLength: 4, maxLength: 2_000_000, pattern: '^[A-Za-z0-9+/]+={0,2}$' }) }, { additionalProperties: false }),
      response: { 200: filing, ...problems },
    },
    handler: (request) => write(request, { contract: 'filing', fn: 'FileContractText', args: [request.params.id], transient: { ciphertext: request.body.ciphertext } }),
  });

  app.get('/orders/:id/filing', {
    schema: { tags: ['filing'], summary: 'The filing record and the filed ciphertext', security: securedBy, params: IdParams, response: { 200: filing, ...problems } },
    handler: (request) => read(request, { contract: 'filing', fn: 'ReadContractFiling', args: [request.params.id] }),
  });
  await Promise.resolve();
};
