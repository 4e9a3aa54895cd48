import { NotFoundError } from '../errors.js';
import { readStreamHead, type StreamHead } from '../events/read-stream-head.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** The stream of an item that has ever existed; history of an unknown item is NOT_FOUND. */
export async function requireStream(db: MetaledgerDb, type: string, name: string): Promise<StreamHead> {
  const head = await readStreamHead(db, type, name);
  if (!head) throw new NotFoundError(`${type}/${name} has no history: it never existed`);
  return head;
}
