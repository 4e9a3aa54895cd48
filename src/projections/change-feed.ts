import { ValidationError } from '../errors.js';
import type { ProjectedEvent } from './projection.js';
import { logStart, readLogAfter, withStates, type LogCursor } from './read-log.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { feedStart } from '../events/statements.js';

/** The protocol's MetadataWatchEvent, plus the item's version and the cursor to resume after it. */
export interface WatchEvent {
  type: 'added' | 'changed' | 'deleted';
  /** `<type>/<name>`: where the item is, as the protocol's events say it. */
  path: string;
  metadataType: string;
  name: string;
  /** The item after the change (null once deleted). */
  data: ProjectedEvent['document'];
  version: number;
  timestamp: string;
  /** Resume point: pass it as `after` to continue right after this event. */
  position: string;
}

/** Which changes `store.watch()` and `store.changeStream()` deliver, and from where. */
export interface WatchOptions {
  /** Only items of these types. */
  types?: string[];
  /** Only items in this namespace. */
  namespace?: string;
  /** A `position` from an earlier event; without it the feed starts at the end of the log. */
  after?: string;
  /** 'start' replays the whole log. */
  from?: 'start' | 'end';
  /** Polls this often even without a notification (ms). */
  pollIntervalMs?: number;
}

export function formatCursor(cursor: LogCursor): string {
  return `${cursor.txId}:${cursor.position}`;
}

export function parseCursor(text: string): LogCursor {
  // bounded digits: a transaction id fits xid8 and a position fits a JavaScript number
  const match = typeof text === 'string' ? /^(\d{1,19}):(\d{1,16})$/.exec(text) : null;
  if (!match || !Number.isSafeInteger(Number(match[2])))
    throw new ValidationError([{ path: 'after', message: `${JSON.stringify(text)} is not a cursor from a watch event` }], 'invalid cursor');
  return { txId: match[1], position: Number(match[2]) };
}

function toWatchEvent(event: ProjectedEvent): WatchEvent {
  return {
    type: event.document === null ? 'deleted' : event.previous === null ? 'added' : 'changed',
    path: `${event.type}/${event.name}`,
    metadataType: event.type,
    name: event.name,
    data: event.document,
    version: event.version,
    timestamp: event.recordedAt,
    position: formatCursor({ txId: event.txId, position: event.position }),
  };
}

/**
 * Reads the log after a cursor in commit order and turns it into watch events for a filter. The log is
 * the source, not memory: a consumer that was down resumes from its last position.
 */
export class ChangeFeed {
  private cursor: LogCursor;

  constructor(
    private readonly db: MetaledgerDb,
    private readonly options: WatchOptions,
    start: LogCursor,
    /** For a feed "from now": the snapshot at its start, whose committed transactions it never delivers. */
    private readonly committedBefore?: string,
  ) {
    this.cursor = start;
  }

  static async open(db: MetaledgerDb, options: WatchOptions): Promise<ChangeFeed> {
    if (options.after) return new ChangeFeed(db, options, parseCursor(options.after));
    if (options.from === 'start') return new ChangeFeed(db, options, logStart);
    const [start] = await runStatement(db, feedStart());
    const cursor = start.tx_id ? { txId: start.tx_id, position: Number(start.position) } : logStart;
    return new ChangeFeed(db, options, cursor, start.snapshot);
  }

  get position(): string {
    return formatCursor(this.cursor);
  }

  /** The next watch events (possibly none), advancing the cursor past everything read. */
  async next(limit = 500): Promise<WatchEvent[]> {
    const rows = await readLogAfter(this.db, this.cursor, limit, { types: this.options.types, committedBefore: this.committedBefore });
    if (rows.length === 0) return [];
    const last = rows[rows.length - 1];
    this.cursor = { txId: last.tx_id, position: Number(last.position) };
    const events = await withStates(this.db, rows);
    const namespace = this.options.namespace;
    return events
      .filter((event) => namespace === undefined || event.document?.namespace === namespace || event.previous?.namespace === namespace)
      .map(toWatchEvent);
  }
}
