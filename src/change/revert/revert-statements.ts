/**
 * The statements a revert reads with, each a function of its inputs returning text and values. The
 * log is append-only, so what they read of the reverted changeset never changes; heads are read before
 * the events after them, and events only up to the head read, so a write committing in between can make
 * the append conflict but never makes the plan miss an event.
 */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/** The changeset, with how many events it wrote (pruning may have removed some since). */
export const readChangeset = (changesetId: string): Statement => ({
  name: 'revert-read-changeset',
  text: 'SELECT id, event_count AS "eventCount" FROM metadata_changesets WHERE id = $1::uuid',
  values: [changesetId],
});

/** The events the changeset wrote, per item in version order. */
export const readChangesetEvents = (changesetId: string): Statement => ({
  name: 'revert-read-changeset-events',
  text: `SELECT item_id AS "itemId", type, name, version, kind, inverse, changeset_id AS "changesetId"
         FROM metadata_events WHERE changeset_id = $1::uuid ORDER BY item_id, version`,
  values: [changesetId],
});

/** The stream heads of the items given. */
export const readHeads = (itemIds: string[]): Statement => ({
  name: 'revert-read-heads',
  text: `SELECT item_id AS "itemId", type, name, version, hash, document FROM metadata_streams WHERE item_id = ANY($1::uuid[])`,
  values: [itemIds],
});

/** Per item, its events after version `after` and up to version `upTo` (its head as read), in version order. */
export const readLaterEvents = (items: { itemId: string; after: number; upTo: number }[]): Statement => ({
  name: 'revert-read-later-events',
  text: `SELECT e.item_id AS "itemId", e.version, e.kind, e.inverse, e.changeset_id AS "changesetId"
         FROM unnest($1::uuid[], $2::integer[], $3::integer[]) AS w(item_id, after, up_to)
         JOIN metadata_events e ON e.item_id = w.item_id AND e.version > w.after AND e.version <= w.up_to
         ORDER BY e.item_id, e.version`,
  values: [items.map((item) => item.itemId), items.map((item) => item.after), items.map((item) => item.upTo)],
});

/** The changesets that revert the one given (their `target` names it), oldest first. */
export const readRevertsOf = (changesetId: string): Statement => ({
  name: 'revert-read-reverts-of',
  text: `SELECT id FROM metadata_changesets WHERE target ? 'revertOf' AND target->>'revertOf' = $1::text ORDER BY created_at, id`,
  values: [changesetId],
});
