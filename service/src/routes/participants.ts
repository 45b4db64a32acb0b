import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { HandleParams, problems, securedBy } from '../schemas/common';
import { read, write } from './ledger';

const participant = Type.Ref('Participant');

/** Participants: the caller's identity on chain at first login (PAPER.md §4). */
export const participantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate);

  app.post('/participants/me', {
    schema: { tags: ['participants'], summary: 'Register the caller (first login); idempotent', security: securedBy, response: { 200: participant, ...problems } },
    handler: (request) => write(request, { contract: 'participants', fn: 'RegisterParticipant' }),
  });

  app.get('/participants/me', {
    schema: { tags: ['participants'], summary: "The caller's participant record", security: securedBy, response: { 200: participant, ...problems } },
    handler: (request) => read(request, { contract: 'participants', fn: 'ReadMyParticipant' }),
  });

  app.get('/participants/:msp/:name', {
    schema: { tags: ['participants'], summary: 'A participant by handle <msp>/<name>', security: securedBy, params: HandleParams, response: { 200: participant, ...problems } },
    handler: (request) => read(request, { contract: 'participants', fn: 'ReadParticipant', args: [`${request.params.msp}/${request.params.name}`] }),
  });
  await Promise.resolve();
};
