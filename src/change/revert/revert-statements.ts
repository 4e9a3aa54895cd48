/**
 * The statements a revert reads with, each a function of its inputs returning text and values. The
 * log is append-only, so what they read of the reverted changeset never changes; heads are read before
 * the events after them, and events only up to the head read, so a write committing in between can make
 * the append conflict but never makes the plan miss an event.
 */
import { statement, type Statement } from '../../datasource/statement.js';
import type { ItemDocument } from '../../events/document.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import type { RevertEventInput } from './plan-revert.js';

/** An event read for a revert, with its item's id. */
export type RevertEventRow = RevertEventInput & { itemId: string };
/** A stream head read for a revert, with its item's key and state. */
export type RevertHeadRow = StreamHead & { type: string; name: string; document: ItemDocument | null };

/** The changeset, with how many events it wrote (pruning may have removed some since). */
export const readChangeset = (changesetId: string): Statement<{ id: string; eventCount: number }> =>
  statement('revert-read-changeset', 'SELECT id, event_count AS "eventCount" FROM metadata_changesets WHERE id = $1::uuid', [changesetId]);

/** The events the changeset wrote, per item in version order. */
export const readChangesetEvents = (changesetId: string): Statement<RevertEventRow> =>
  statement(
    'revert-read-changeset-events',
    `SELECT item_id AS "itemId", type, name, version, kind, inverse, changeset_id AS "changesetId"
         FROM metadata_events WHERE changeset_id = $1::uuid ORDER BY item_id, version`,
    [changesetId],
  );

/** The stream heads of the items given. */
export const readHeads = (itemIds: string[]): Statement<RevertHeadRow> =>
  statement(
    'revert-read-heads',
    `SELECT item_id AS "itemId", type, name, version, hash, document FROM metadata_streams WHERE item_id = ANY($1::uuid[])`,
    [itemIds],
  );

/** Per item, its events after version `after` and up to version `upTo` (its head as read), in version order. */
export const readLaterEvents = (items: { itemId: string; after: number; upTo: number }[]): Statement<RevertEventRow> =>
  statement(
    'revert-read-later-events',
    `SELECT e.item_id AS "itemId", e.version, e.kind, e.inverse, e.changeset_id AS "changesetId"
         FROM unnest($1::uuid[], $2::integer[], $3::integer[]) AS w(item_id, after, up_to)
         JOIN metadata_events e ON e.item_id = w.item_id AND e.version > w.after AND e.version <= w.up_to
         ORDER BY e.item_id, e.version`,
    [items.map((item) => item.itemId), items.map((item) => item.after), items.map((item) => item.upTo)],
  );

/** The changesets that revert the one given (their `target` names it), oldest first. */
export const readRevertsOf = (changesetId: string): Statement<{ id: string }> =>
  statement(
    'revert-read-reverts-of',
    `SELECT id FROM metadata_changesets WHERE target ? 'revertOf' AND target->>'revertOf' = $1::text ORDER BY created_at, id`,
    [changesetId],
  );
