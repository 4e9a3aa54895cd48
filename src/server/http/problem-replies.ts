import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { MetaledgerError } from '../../errors.js';
import { problemMediaType, problemOf, toProblem, type ProblemBody } from '../../loaders/http/error-body.js';
import { hasPrecondition } from './preconditions.js';

// OPTIONS (CORS preflight answers any path) and HEAD (mirrors GET) do not make a path known
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Sends a problem document with its status (and the Bearer challenge for a 401). */
export function sendProblem(reply: FastifyReply, problem: ProblemBody): FastifyReply {
  if (problem.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="metaledger"');
  return reply.code(problem.status).type(problemMediaType).send(problem);
}

/** The problem an error becomes: the store's errors keep their code; the framework's 4xx are VALIDATION (or NOT_FOUND). */
export function problemFor(error: unknown, request: FastifyRequest): ProblemBody {
  if (error instanceof MetaledgerError) {
    // a write made conditional by If-Match / If-None-Match that lost the race failed its precondition
    const status = error.code === 'CONFLICT' && hasPrecondition(request) ? 412 : undefined;
    return toProblem(error, status);
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail = (error as Error).message || 'invalid request';
    if (status === 408) return problemOf('TIMEOUT', 408, detail);
    return problemOf(status === 404 ? 'NOT_FOUND' : 'VALIDATION', status, detail);
  }
  return toProblem(error);
}

/**
 * Every error is a problem document. An unknown path is 404; a known path with another method is 405
 * with `Allow`, found in a router that mirrors the routes registered.
 */
export function installProblemReplies(app: FastifyInstance, onInternalError: (error: unknown) => void): void {
  const known = FindMyWay();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if ((methods as readonly string[]).includes(method) && !known.hasRoute(method as 'GET', route.url))
        known.on(method as 'GET', route.url, () => {});
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error, request);
    if (problem.code === 'INTERNAL') onInternalError(error);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = methods.filter((method) => known.find(method, path) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        problemOf('VALIDATION', 405, `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`),
      );
    }
    return sendProblem(reply, problemOf('NOT_FOUND', 404, `no route ${request.method} ${path}; the API is described at /openapi.json`));
  });
}
