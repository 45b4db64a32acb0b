import type { FastifyRequest } from 'fastify';

import type { Call } from '../fabric/calls';

/** A read as the requesting user (evaluate): the chaincode's answer as text. */
export async function readText(request: FastifyRequest, call: Call): Promise<string> {
  return Buffer.from(await request.server.fabric.evaluate({ ...call, user: request.user })).toString('utf8');
}

/** A write as the requesting user: answers only once the transaction committed as valid. */
export async function writeText(request: FastifyRequest, call: Call): Promise<string> {
  const { result, transactionId } = await request.server.fabric.submit({ ...call, user: request.user });
  request.log.info({ transactionId, fn: call.fn }, 'committed');
  return Buffer.from(result).toString('utf8');
}

/** A read whose answer is JSON. */
export async function read<T>(request: FastifyRequest, call: Call): Promise<T> {
  return JSON.parse(await readText(request, call)) as T;
}

/** A write whose answer is JSON. */
export async function write<T>(request: FastifyRequest, call: Call): Promise<T> {
  return JSON.parse(await writeText(request, call)) as T;
}
