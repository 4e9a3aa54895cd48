import type { Kysely } from 'kysely';
import { ValidationError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import { requireStream } from './item-ref.js';
import { resolveMoment, type Moment } from './moment.js';
import { statesAt } from './states-at.js';

/** An item at a moment; the three outcomes are told apart, never a bare null. */
export type ItemAt =
  | { status: 'exists'; type: string; name: string; version: number; recordedAt: string; document: ItemDocument }
  | { status: 'deleted'; type: string; name: string; version: number; recordedAt: string; document: null }
  | { status: 'not_yet_created'; type: string; name: string; version: 0; document: null };

export async function getAt(db: Kysely<any>, type: string, name: string, moment: Moment): Promise<ItemAt> {
  const resolved = resolveMoment(moment);
  const head = await requireStream(db, type, name);
  if ('version' in resolved && resolved.version > head.version) {
    throw new ValidationError([{ path: 'version', message: `${type}/${name} has no version ${resolved.version} (latest is ${head.version})` }], 'invalid moment');
  }
  const state = (await statesAt(db, resolved, { itemIds: [head.itemId] })).get(head.itemId);
  if (!state) return { status: 'not_yet_created', type, name, version: 0, document: null };
  const { version, recordedAt } = state;
  return state.document
    ? { status: 'exists', type, name, version, recordedAt, document: state.document }
    : { status: 'deleted', type, name, version, recordedAt, document: null };
}
