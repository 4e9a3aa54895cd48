import { ValidationError } from '../errors.js';
import { readStreamHeads } from '../events/read-stream-head.js';
import { resolveMoment } from './moment.js';
import { statesAt, type ItemState } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** Which moment, and which slice of the store, `store.snapshotAt()` streams. */
export interface SnapshotAtOptions {
  /** The moment, as a timestamp. */
  asOf?: Date | string;
  /** The moment, as a log position. */
  position?: number;
  /** Only items in this namespace. */
  namespace?: string;
  /** Only items of these types. */
  types?: string[];
  /** Items folded per round trip. */
  pageSize?: number;
}

/** The whole store (or a slice) as it was, streamed a page of items at a time; only items alive then. */
export async function* snapshotAt(
  db: MetaledgerDb,
  options: SnapshotAtOptions,
): AsyncGenerator<ItemState & { document: NonNullable<ItemState['document']> }> {
  if ((options.asOf === undefined) === (options.position === undefined)) {
    throw new ValidationError([{ path: 'asOf', message: 'give exactly one of asOf or position' }], 'invalid snapshot moment');
  }
  const moment = resolveMoment(options.asOf !== undefined ? { asOf: options.asOf } : { position: options.position! });
  const pageSize = options.pageSize ?? 500;
  let afterItemId: string | undefined;
  for (;;) {
    const heads = await readStreamHeads(db, { types: options.types, afterItemId, limit: pageSize });
    if (heads.length === 0) return;
    afterItemId = heads[heads.length - 1].itemId;
    const states = await statesAt(db, moment, { itemIds: heads.map((head) => head.itemId) });
    for (const head of heads) {
      const state = states.get(head.itemId);
      if (!state?.document) continue;
      if (options.namespace !== undefined && state.document.namespace !== options.namespace) continue;
      yield state as ItemState & { document: NonNullable<ItemState['document']> };
    }
  }
}
