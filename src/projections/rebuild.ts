import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import type { ItemDocument } from '../events/document.js';
import { applyPatchInPlace } from '../events/patch.js';
import type { ProjectedEvent, ProjectionDefinition } from './projection.js';
import { ensureCheckpoint } from './projector.js';
import {
  cursorOf,
  loadStatesBefore,
  logRowColumns,
  logStart,
  projectedEvent,
  readLogAfter,
  stateAfter,
  withStates,
  type LogCursor,
  type LogRow,
} from './read-log.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** How far a rebuild is: events applied of the total, and its phase. */
export interface RebuildProgress {
  projection: string;
  applied: number;
  total: number;
  phase: 'replay' | 'swap' | 'done';
}

/** How `store.rebuild()` replays. */
export interface RebuildOptions {
  /** Events replayed per round trip. */
  batchSize?: number;
  /** Called as the replay advances, and once swapped in. */
  onProgress?: (progress: RebuildProgress) => void;
}

/** A finished rebuild: events replayed, how long it took, and how fast. */
export interface RebuildResult {
  projection: string;
  events: number;
  durationMs: number;
  eventsPerSecond: number;
}

/** The place in the log right after a (non-empty) batch. */
function cursorAfter(rows: LogRow[]): LogCursor {
  const last = rows[rows.length - 1];
  return cursorOf({ txId: last.tx_id, position: Number(last.position) });
}

/** What a state-only projection needs of one item: its latest creation, its last event and its state now. */
interface CondensedItem {
  creation?: ProjectedEvent;
  last: LogRow;
  /** Null once deleted; otherwise the working copy every later patch of the item is applied to. */
  document: ItemDocument | null;
}

/**
 * Folds a batch into `condensed` without building every intermediate state or event: each item's state
 * is patched in place and its entry updated in place (copies and per-event objects are most of a long
 * replay's cost); only a creation keeps a copy of its state.
 */
async function condense(
  db: MetaledgerDb,
  rows: LogRow[],
  states: Map<string, ItemDocument | null>,
  condensed: Map<string, CondensedItem>,
): Promise<void> {
  await loadStatesBefore(db, rows, states);
  for (const row of rows) {
    const previous = states.get(row.item_id) ?? null;
    const document = stateAfter(row, previous, applyPatchInPlace);
    states.set(row.item_id, document);
    const item = condensed.get(row.item_id);
    const creation =
      document === null ? undefined : previous === null ? projectedEvent(row, null, structuredClone(document)) : item?.creation;
    if (!item) condensed.set(row.item_id, { creation, last: row, document });
    else {
      item.creation = creation;
      item.last = row;
      item.document = document;
    }
  }
}

/**
 * Writes each item once: its latest creation (who created it, when) followed by its last event, as if
 * its whole history had been applied — exact for a projection that depends only on final states.
 */
async function applyCondensed(
  db: MetaledgerDb,
  projection: ProjectionDefinition,
  table: string,
  items: CondensedItem[],
  batchSize: number,
): Promise<void> {
  for (let start = 0; start < items.length; start += batchSize) {
    const events = items.slice(start, start + batchSize).flatMap(({ creation, last, document }) => {
      if (document === null) return []; // gone at the end: nothing to write
      if (!creation) return [projectedEvent(last, null, document)]; // its creation was pruned away
      return creation.version === last.version
        ? [{ ...creation, document }]
        : [creation, projectedEvent(last, creation.document, document)];
    });
    if (events.length > 0) await projection.apply(db, events, table);
  }
}

/**
 * The fresh copy keeps only its unique indexes (upserts need them): maintaining the others row by row
 * during the replay is most of its cost, and the live table's own indexes take the final copy at once.
 */
async function dropSecondaryIndexes(db: MetaledgerDb, table: string): Promise<void> {
  const { rows } = await db.executeQuery<{ name: string }>(
    CompiledQuery.raw(
      `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE i.indrelid = $1::regclass AND NOT i.indisunique`,
      [table],
    ),
  );
  for (const { name } of rows) await db.executeQuery(CompiledQuery.raw(`DROP INDEX ${name}`));
}

/** Everything after `cursor`, without the commit-safety filter: only valid while appends are locked out. */
async function readRestUnderLock(trx: MetaledgerDb, cursor: LogCursor, limit: number): Promise<LogRow[]> {
  const { rows } = await trx.executeQuery<LogRow>(
    CompiledQuery.raw(
      `SELECT ${logRowColumns}
       FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
       WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint) ORDER BY e.tx_id, e.position LIMIT $3`,
      [cursor.txId, cursor.position, limit],
    ),
  );
  return rows;
}

/**
 * Replays the whole log into a fresh copy of the projection's table, then swaps it in. Readers see the
 * old table until the swap. The swap holds a SHARE lock on metadata_streams, which every append takes
 * first: no append is in flight, so the tail of the log read under that lock is complete and final,
 * and writers blocked meanwhile write to the new table once it is in place. Nothing is lost.
 */
export async function rebuild(
  db: MetaledgerDb,
  projection: ProjectionDefinition,
  table: string,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  // a name of its own: two rebuilds of one projection may run at once (their swaps take turns)
  const suffix = `_rebuild_${randomBytes(4).toString('hex')}`;
  const fresh = table.endsWith('"') ? `${table.slice(0, -1)}${suffix}"` : `${table}${suffix}`;
  await projection.ensureTable(db, table);
  await db.executeQuery(CompiledQuery.raw(`DROP TABLE IF EXISTS ${fresh}`));
  await db.executeQuery(CompiledQuery.raw(`CREATE TABLE ${fresh} (LIKE ${table} INCLUDING ALL)`));
  await dropSecondaryIndexes(db, fresh);
  const { rows: counted } = await db.executeQuery<{ total: number }>(CompiledQuery.raw('SELECT count(*) AS total FROM metadata_events'));
  const total = Number(counted[0]?.total ?? 0);
  const states = new Map<string, ItemDocument | null>();
  let cursor = logStart;
  let applied = 0;
  // a projection of final states needs, per item, only its latest creation and its last event
  const condensed = projection.stateOnly && projection.kinds === 'all' ? new Map<string, CondensedItem>() : undefined;
  const advance = (rows: LogRow[]) => {
    cursor = cursorAfter(rows);
    applied += rows.length;
    options.onProgress?.({ projection: projection.name, applied, total, phase: 'replay' });
  };
  const replay = async (trx: MetaledgerDb, rows: LogRow[]) => {
    const events = await withStates(trx, rows, states);
    const relevant = projection.kinds === 'all' ? events : events.filter((event) => (projection.kinds as string[]).includes(event.kind));
    if (relevant.length > 0) await projection.apply(trx, relevant, fresh);
    advance(rows);
  };
  const replayOrCondense = async (rows: LogRow[]) => {
    if (!condensed) return replay(db, rows);
    await condense(db, rows, states, condensed);
    advance(rows);
  };
  // the next batch is read while the current one is applied
  const readAfter = (rows: LogRow[]) => readLogAfter(db, cursorAfter(rows), batchSize);
  for (let rows = await readLogAfter(db, cursor, batchSize); rows.length > 0;) {
    const next = readAfter(rows);
    await replayOrCondense(rows);
    rows = await next;
  }
  if (condensed) await applyCondensed(db, projection, fresh, [...condensed.values()], batchSize);
  await ensureCheckpoint(db, projection.name);
  await db.transaction().execute(async (trx) => {
    // the same lock order as appends (streams) and projectors (checkpoint row, then table): no deadlock
    await trx.executeQuery(CompiledQuery.raw('LOCK TABLE metadata_streams IN SHARE MODE'));
    await trx.executeQuery(CompiledQuery.raw('SELECT 1 FROM metadata_checkpoints WHERE projection = $1 FOR UPDATE', [projection.name]));
    await trx.executeQuery(CompiledQuery.raw(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`));
    for (
      let rows = await readRestUnderLock(trx, cursor, batchSize);
      rows.length > 0;
      rows = await readRestUnderLock(trx, cursor, batchSize)
    ) {
      await replay(trx, rows);
    }
    options.onProgress?.({ projection: projection.name, applied, total: Math.max(total, applied), phase: 'swap' });
    // contents, not names, are swapped: the live table keeps its name, indexes and grants
    await trx.executeQuery(CompiledQuery.raw(`TRUNCATE ${table}`));
    await trx.executeQuery(CompiledQuery.raw(`INSERT INTO ${table} SELECT * FROM ${fresh}`));
    await trx.executeQuery(CompiledQuery.raw(`DROP TABLE ${fresh}`));
    await trx.executeQuery(
      CompiledQuery.raw(
        `UPDATE metadata_checkpoints SET tx_id = $2::text::xid8, position = $3, events_applied = $4, last_error = NULL, updated_at = now() WHERE projection = $1`,
        [projection.name, cursor.txId, cursor.position, applied],
      ),
    );
  });
  options.onProgress?.({ projection: projection.name, applied, total: Math.max(total, applied), phase: 'done' });
  const durationMs = performance.now() - started;
  return { projection: projection.name, events: applied, durationMs, eventsPerSecond: applied / (durationMs / 1000) };
}
