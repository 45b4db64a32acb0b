import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { InvalidRequestError } from '../errors';
import { Id, IdParams, Page, Price, problems, securedBy } from '../schemas/common';
import { read, write } from './ledger';

const template = Type.Ref('Template');

const PriceTerms = Type.Union([
  Type.Object({ model: Type.Literal('fixed'), price: Price }, { additionalProperties: false }),
  Type.Object({ model: Type.Literal('indexed'), reference: Type.String({ minLength: 1, maxLength: 64 }), spread: Type.String() }, { additionalProperties: false }),
  Type.Object({ model: Type.Literal('time-of-use'), peak: Price, flat: Price, valley: Price }, { additionalProperties: false }),
]);

const TemplateBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    region: Type.String({ minLength: 1, maxLength: 64 }),
    marketStage: Type.Union([Type.Literal('annual'), Type.Literal('monthly'), Type.Literal('spot')]),
    targetUserType: Type.Union([Type.Literal('commercial'), Type.Literal('industrial'), Type.Literal('residential'), Type.Literal('large')]),
    priceTerms: PriceTerms,
    validFrom: Type.String({ format: 'date' }),
    validTo: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
);

const TemplateQuery = Type.Composite([
  Type.Object({
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    marketStage: Type.Optional(Type.String()),
    targetUserType: Type.Optional(Type.String()),
  }),
  Page,
]);

/** Retail package (套餐) templates (PAPER.md §5.1): the exchange and retailers author them. */
export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate);

  app.post('/templates', {
    schema: { tags: ['templates'], summary: 'Create a template (exchange, retailer); idempotent for the same content', security: securedBy, body: TemplateBody, response: { 201: template, ...problems } },
    handler: async (request, reply) => reply.status(201).send(await write(request, { contract: 'packages', fn: 'CreatePackageTemplate', args: [JSON.stringify(request.body)] })),
  });

  app.put('/templates/:id', {
    schema: { tags: ['templates'], summary: 'Update a template: a new version, old ones stay readable', security: securedBy, params: IdParams, body: TemplateBody, response: { 200: template, ...problems } },
    handler: (request) => {
      if (request.body.id !== request.params.id) throw new InvalidRequestError('the body id must equal the path id');
      return write(request, { contract: 'packages', fn: 'UpdatePackageTemplate', args: [JSON.stringify(request.body)] });
    },
  });

  app.get('/templates/:id', {
    schema: { tags: ['templates'], summary: 'The latest version of a template', security: securedBy, params: IdParams, response: { 200: template, ...problems } },
    handler: (request) => read(request, { contract: 'packages', fn: 'ReadPackageTemplate', args: [request.params.id] }),
  });

  app.get('/templates/:id/versions', {
    schema: { tags: ['templates'], summary: 'Every version of a template, oldest first', security: securedBy, params: IdParams, response: { 200: Type.Array(template), ...problems } },
    handler: (request) => read(request, { contract: 'packages', fn: 'ListPackageTemplateVersions', args: [request.params.id] }),
  });

  app.get('/templates/:id/versions/:version', {
    schema: {
      tags: ['templates'],
      summary: 'One version of a template',
      security: securedBy,
      params: Type.Object({ id: Id, version: Type.Integer({ minimum: 1, maximum: 999999 }) }),
      response: { 200: template, ...problems },
    },
    handler: (request) => read(request, { contract: 'packages', fn: 'ReadPackageTemplateVersion', args: [request.params.id, String(request.params.version)] }),
  });

  app.get('/templates', {
    schema: {
      tags: ['templates'],
      summary: 'Templates by region, market stage and user type (any subset), a page at a time',
      security: securedBy,
      querystring: TemplateQuery,
      response: { 200: Type.Object({ records: Type.Array(template), bookmark: Type.String(), fetched: Type.Integer() }), ...problems },
    },
    handler: (request) => read(request, { contract: 'packages', fn: 'QueryPackageTemplates', args: [JSON.stringify(request.query)] }),
  });
  await Promise.resolve();
};
