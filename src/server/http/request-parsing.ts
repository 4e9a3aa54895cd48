import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';

/** Marks a query string that could not be decoded; the onRequest hook turns it into a 400. */
const undecodable = Symbol('undecodable query');

/**
 * Query strings decoded strictly: a bad percent-encoding or a NUL character is refused (400), never
 * passed on replaced or truncated. A repeated parameter becomes a list.
 */
export function parseQueryString(text: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const part of text.split('&')) {
    if (part === '') continue;
    const [rawKey, ...rest] = part.split('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rest.join('=').replace(/\+/g, ' '));
    } catch {
      return Object.assign(Object.create(null), { [undecodable]: `bad percent-encoding in ${JSON.stringify(part.slice(0, 80))}` });
    }
    if (key.includes('\u0000') || value.includes('\u0000'))
      return Object.assign(Object.create(null), { [undecodable]: 'query parameters must not contain NUL characters' });
    const earlier = query[key];
    query[key] = earlier === undefined ? value : [earlier, value].flat();
  }
  return query;
}

/** NUL anywhere in a JSON value (strings and keys): PostgreSQL cannot store it, so it is refused up front. */
function nulPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(root)' : undefined;
  if (depth > 200) return undefined; // the store's own limits refuse deeper documents
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return childPath;
      const found = nulPath(child, childPath, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Request parsing that refuses rather than guesses: strict query strings, bad URLs as 400, JSON bodies
 * parsed with prototype-poisoning protection and refused when they hold NUL characters. Other content
 * types are 415 (Fastify's own answer when no parser matches).
 */
export function installRequestParsing(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const problem = (request.query as Record<symbol, string>)[undecodable];
    if (problem) throw new ValidationError([{ path: 'query', message: problem }], 'invalid query string');
    const path = request.url.split('?')[0];
    if (/%00/i.test(path)) throw new ValidationError([{ path: 'path', message: 'must not contain NUL characters' }], 'invalid URL');
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON is the only body this API takes: text/plain (Fastify's other default) is 415 too
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // many clients label every request JSON: an empty body is no body (routes that need one say so, 400)
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => {
      if (error) return done(new ValidationError([{ path: 'body', message: error.message }], 'malformed JSON'));
      const at = nulPath(value, '');
      if (at !== undefined)
        return done(new ValidationError([{ path: at, message: 'must not contain NUL characters' }], 'invalid request body'));
      done(null, value);
    });
  });
}
