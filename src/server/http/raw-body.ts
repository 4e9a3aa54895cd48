import type { FastifyRequest } from 'fastify';

const rawBodies = new WeakMap<FastifyRequest, unknown>();

/**
 * A route hook keeping the body as sent, before its schema fills defaults in: a write must pass on
 * only the fields the client gave (an absent scope keeps the item's scope; a default would change it).
 */
export async function keepRawBody(request: FastifyRequest): Promise<void> {
  rawBodies.set(request, request.body);
}

/** The body as sent (after it passed validation). */
export const rawBodyOf = (request: FastifyRequest): unknown => rawBodies.get(request);
