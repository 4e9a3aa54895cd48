import { CompiledQuery } from 'kysely';
import { ValidationError } from '../errors.js';
import { auditEventColumns, toAuditEvent, type AuditEvent, type AuditRow } from './item-history.js';
import { checkPage } from './paging.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** Filters and paging of `store.changes()`, the store-wide audit feed. */
export interface ChangesOptions {
  /** Only events recorded at or after this moment. */
  since?: Date | string;
  /** Only events recorded at or before this moment. */
  until?: Date | string;
  /** Only changesets by this actor. */
  actor?: string;
  /** Only items of these types. */
  types?: string[];
  /** Only items in this namespace. */
  namespace?: string;
  /** Only the events of this changeset (its id). */
  changeset?: string;
  /** Events per page. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  after?: string;
}

/** One page of the audit feed, in commit order; pass `nextCursor` as `after` for the next. */
export interface ChangesPage {
  events: AuditEvent[];
  nextCursor: string | null;
  hasMore: boolean;
}

function parseCursor(cursor: string): [string, number] {
  // bounded digits: a transaction id fits xid8 and a position fits a JavaScript number
  const match = /^(\d{1,19}):(\d{1,16})$/.exec(cursor);
  if (!match || !Number.isSafeInteger(Number(match[2])))
    throw new ValidationError(
      [{ path: 'after', message: `${JSON.stringify(cursor)} is not a cursor from a previous page` }],
      'invalid cursor',
    );
  return [match[1], Number(match[2])];
}

/**
 * The store-wide audit feed in commit order. Only events of transactions older than every running
 * one are read (tx_id below the snapshot's xmin), so a cursor never skips a late-committing write.
 */
export async function changes(db: MetaledgerDb, options: ChangesOptions = {}): Promise<ChangesPage> {
  const { limit } = checkPage(options.limit ?? 100);
  const parameters: unknown[] = [];
  const conditions = ['e.tx_id < pg_snapshot_xmin(pg_current_snapshot())'];
  const add = (condition: string, ...values: unknown[]) => {
    let text = condition;
    for (const value of values) {
      parameters.push(value);
      text = text.replace('?', `$${parameters.length}`);
    }
    conditions.push(text);
  };
  if (options.since !== undefined) add('e.recorded_at >= ?', new Date(options.since));
  if (options.until !== undefined) add('e.recorded_at <= ?', new Date(options.until));
  if (options.actor !== undefined) add('c.actor = ?', options.actor);
  if (options.types?.length) add('e.type = ANY(?::text[])', options.types);
  if (options.namespace !== undefined) add('e.namespace = ?', options.namespace);
  if (options.changeset !== undefined) add('e.changeset_id = ?::uuid', options.changeset);
  if (options.after !== undefined) add('(e.tx_id, e.position) > (?::text::xid8, ?::bigint)', ...parseCursor(options.after));
  const { rows } = await db.executeQuery<AuditRow>(
    CompiledQuery.raw(
      `SELECT ${auditEventColumns} FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
       WHERE ${conditions.join(' AND ')} ORDER BY e.tx_id, e.position LIMIT ${limit + 1}`,
      parameters,
    ),
  );
  const hasMore = rows.length > limit;
  const events = rows.slice(0, limit).map(toAuditEvent);
  return { events, hasMore, nextCursor: events.length ? events[events.length - 1].cursor : (options.after ?? null) };
}
