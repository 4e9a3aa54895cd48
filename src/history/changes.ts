import { ValidationError } from '../errors.js';
import { toAuditEvent, type AuditEvent } from './item-history.js';
import { checkPage } from './paging.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { feedStart } from '../events/statements.js';
import { changesPage, type ChangesFilter } from './statements/audit-trail.js';

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
 * Where the audit feed "from now" starts: the cursor to read after, and the snapshot whose committed
 * transactions the feed leaves out (another transaction open at the start holds the cursor back).
 */
export interface ChangesStart {
  after?: string;
  committedBefore: string;
}

/** The start of the audit feed from now (see `ChangesStart`). */
export async function changesStart(db: MetaledgerDb): Promise<ChangesStart> {
  const [start] = await runStatement(db, feedStart());
  return { after: start.tx_id ? `${start.tx_id}:${start.position}` : undefined, committedBefore: start.snapshot };
}

/**
 * The store-wide audit feed in commit order, a page at a time (see `changesPage`: no late commit is
 * skipped); `committedBefore` when it follows a start from now.
 */
export async function changes(db: MetaledgerDb, options: ChangesOptions = {}, committedBefore?: string): Promise<ChangesPage> {
  const { limit } = checkPage(options.limit ?? 100);
  const filter: ChangesFilter = {
    since: options.since === undefined ? undefined : new Date(options.since),
    until: options.until === undefined ? undefined : new Date(options.until),
    actor: options.actor,
    types: options.types,
    namespace: options.namespace,
    changesetId: options.changeset,
    after: options.after === undefined ? undefined : parseCursor(options.after),
    committedBefore,
  };
  // one row more than the page: whether there is more
  const rows = await runStatement(db, changesPage(filter, limit + 1));
  const hasMore = rows.length > limit;
  const events = rows.slice(0, limit).map(toAuditEvent);
  return { events, hasMore, nextCursor: events.length ? events[events.length - 1].cursor : (options.after ?? null) };
}
