import type { Kysely } from 'kysely';
import { NotFoundError } from '../errors.js';
import { readStreamHead, type StreamHead } from '../events/read-stream-head.js';

/** The stream of an item that has ever existed; history of an unknown item is NOT_FOUND. */
export async function requireStream(db: Kysely<any>, type: string, name: string): Promise<StreamHead> {
  const head = await readStreamHead(db, type, name);
  if (!head) throw new NotFoundError(`${type}/${name} has no history: it never existed`);
  return head;
}
