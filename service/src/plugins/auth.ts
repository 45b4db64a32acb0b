import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { StateLayout, Topology } from '@energysale/network';

import type { TokenIssuer } from '../auth/tokens';
import { UnauthorizedError } from '../errors';
import { loadIdentity, type UserIdentity } from '../fabric/identities';

declare module 'fastify' {
  interface FastifyRequest {
    /** The enrolled identity the bearer token stands for; set by `authenticate`. */
    user: UserIdentity;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

/** Bearer tokens to enrolled Fabric identities: the service then signs as that user. */
function authPlugin(app: FastifyInstance, options: { tokens: TokenIssuer; topology: Topology; layout: StateLayout }): Promise<void> {
  const cache = new Map<string, UserIdentity>();
  app.decorateRequest('user', undefined as unknown as UserIdentity);
  app.decorate('authenticate', (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    const subject = token === undefined ? undefined : options.tokens.verify(token);
    if (!subject) throw new UnauthorizedError('missing or invalid bearer token');
    const key = `${subject.org}/${subject.user}`;
    let identity = cache.get(key);
    if (!identity) {
      identity = loadIdentity(options.topology, options.layout, subject.org, subject.user);
      cache.set(key, identity);
    }
    request.user = identity;
    return Promise.resolve();
  });
  return Promise.resolve();
}

export default fp(authPlugin, { name: 'auth' });
