import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';

/** An entity tag as this API gives them: quoted, optionally weak (`W/"v3"`). */
const entityTag = /^(?:W\/)?"[^"\s]*"$/;

function tagsOf(header: string, name: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  const tags = header.split(',').map((tag) => tag.trim());
  const bad = tags.find((tag) => !entityTag.test(tag));
  if (bad !== undefined)
    throw new ValidationError(
      [{ path: name, message: `${JSON.stringify(bad.slice(0, 80))} is not an entity tag such as "v3"` }],
      'invalid precondition',
    );
  return tags.map((tag) => tag.replace(/^W\//, ''));
}

/** If-Match as the etags a write accepts, or '*' (any current version). */
export function ifMatchOf(request: FastifyRequest): string[] | '*' | undefined {
  const header = request.headers['if-match'];
  return header === undefined ? undefined : tagsOf(header, 'If-Match');
}

/** If-None-Match as etags, or '*' (the item must not exist). */
export function ifNoneMatchOf(request: FastifyRequest): string[] | '*' | undefined {
  const header = request.headers['if-none-match'];
  return header === undefined ? undefined : tagsOf(header, 'If-None-Match');
}

/** Whether the request made its write conditional: a failed condition is then 412, not 409. */
export const hasPrecondition = (request: FastifyRequest): boolean =>
  request.headers['if-match'] !== undefined || request.headers['if-none-match'] !== undefined;

/** The etag a write expects: the one If-Match names, null for If-None-Match: *, undefined for none. */
export function expectedEtagOf(
  request: FastifyRequest,
  currentEtag: () => Promise<string | undefined>,
): Promise<string | null | undefined> {
  const ifNoneMatch = ifNoneMatchOf(request);
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*')
      throw new ValidationError([{ path: 'If-None-Match', message: 'a write takes only If-None-Match: *' }], 'invalid precondition');
    return Promise.resolve(null);
  }
  const ifMatch = ifMatchOf(request);
  if (ifMatch === undefined) return Promise.resolve(undefined);
  if (ifMatch.length === 1 && ifMatch !== '*') return Promise.resolve(ifMatch[0]);
  // '*' or a list: the write expects the current etag when it is one of them (a mismatch never matches)
  return currentEtag().then((etag) => (etag !== undefined && (ifMatch === '*' || ifMatch.includes(etag)) ? etag : '"no-match"'));
}

/** A version number from an If-Match etag `"v<n>"` (history writes take versions). */
export function expectedVersionOf(request: FastifyRequest): number | undefined {
  const ifMatch = ifMatchOf(request);
  if (ifMatch === undefined || ifMatch === '*') return undefined;
  const versions = ifMatch.map((tag) => /^"v(\d+)"$/.exec(tag)?.[1]);
  if (ifMatch.length !== 1 || versions[0] === undefined)
    throw new ValidationError([{ path: 'If-Match', message: 'give one version etag such as "v3"' }], 'invalid precondition');
  return Number(versions[0]);
}
