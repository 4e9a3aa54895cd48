import { CompiledQuery } from 'kysely';
import { MetaledgerError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import type { EventRow } from '../events/event-row.js';
import { ReplayError, replayEvent } from '../events/replay.js';
import { describeMoment, momentCondition, type ResolvedMoment } from './moment.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** One item as it was at a moment: alive with its document, or deleted (then `document` is null). */
export interface ItemState {
  itemId: string;
  type: string;
  name: string;
  version: number;
  document: ItemDocument | null;
  recordedAt: string;
}

/**
 * Where an item's fold starts: a snapshot event (`event`), a compaction snapshot taken at the first
 * row's version (`side`: that row is already included), or a prune point just before the first row.
 */
export type FoldStart = 'event' | 'side' | 'prune';

export interface FoldRow extends EventRow {
  start_kind: FoldStart;
  start_document: ItemDocument | null;
}

export interface StatesAtFilter {
  itemIds?: string[];
  types?: string[];
}

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * Per item: the events from its last full state at or before the target version — a snapshot event, a
 * compaction snapshot (metadata_snapshots) or the prune point, whichever is latest — up to that version,
 * so at most `snapshotEvery` rows per item. `target` is a query yielding (item_id, v).
 */
function foldQuery(target: string, parameters: unknown[], useCompactionSnapshots = true): CompiledQuery {
  const text = `
    WITH target AS (${target}), base AS (
      SELECT t.item_id, t.v,
             coalesce((SELECT max(s.version) FROM metadata_events s
                       WHERE s.item_id = t.item_id AND s.version <= t.v AND s.snapshot IS NOT NULL), 0) AS event_base,
             coalesce(side.version, 0) AS side_base, side.document AS side_document,
             coalesce(p.version, 0) AS prune_base, p.document AS prune_document
      FROM target t
      LEFT JOIN metadata_prune_points p ON p.item_id = t.item_id
      LEFT JOIN LATERAL (
        SELECT m.version, m.document FROM metadata_snapshots m
        WHERE ${useCompactionSnapshots} AND m.item_id = t.item_id AND m.version <= t.v ORDER BY m.version DESC LIMIT 1
      ) side ON true
    ), start AS MATERIALIZED ( -- keeps the planner's estimate small: an inlined CTE looked costly enough to JIT-compile every time
      SELECT item_id, v,
             CASE WHEN event_base >= side_base AND event_base > prune_base THEN 'event'
                  WHEN side_base > prune_base THEN 'side' ELSE 'prune' END AS start_kind,
             CASE WHEN event_base >= side_base AND event_base > prune_base THEN event_base
                  WHEN side_base > prune_base THEN side_base ELSE prune_base + 1 END AS from_version,
             CASE WHEN event_base >= side_base AND event_base > prune_base THEN NULL
                  WHEN side_base > prune_base THEN side_document ELSE prune_document END AS start_document
      FROM base
    )
    SELECT e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot, e.recorded_at, start.start_kind, start.start_document
    FROM start JOIN metadata_events e ON e.item_id = start.item_id AND e.version BETWEEN start.from_version AND start.v
    ORDER BY e.item_id, e.version`;
  return CompiledQuery.raw(text, parameters);
}

/** SQL conditions for the filter, binding its values as the next parameters. */
function filterConditions(filter: StatesAtFilter, parameters: unknown[], itemColumn: string, typeColumn: string): string[] {
  const conditions: string[] = [];
  if (filter.itemIds) {
    parameters.push(filter.itemIds);
    conditions.push(`${itemColumn} = ANY($${parameters.length}::uuid[])`);
  }
  if (filter.types) {
    parameters.push(filter.types);
    conditions.push(`${typeColumn} = ANY($${parameters.length}::text[])`);
  }
  return conditions;
}

/** Targets: each item's last event at or before the moment. */
function momentTarget(moment: ResolvedMoment, filter: StatesAtFilter): CompiledQuery {
  const { condition, value } = momentCondition(moment);
  const parameters: unknown[] = [value];
  const filters = filterConditions(filter, parameters, 'e.item_id', 'e.type');
  const target = `SELECT e.item_id, max(e.version) AS v FROM metadata_events e
    WHERE ${condition.replace('$M', '$1')} ${filters.map((f) => `AND ${f}`).join(' ')} GROUP BY e.item_id`;
  return foldQuery(target, parameters);
}

/**
 * Replays one item's rows (ascending) onto its starting state; the rows' documents are used up. A row
 * that does not apply is a ReplayError (INTEGRITY) naming the item and version.
 */
export function foldRows(rows: FoldRow[], onFullState?: FullStateCheck): ItemDocument | null {
  const [first] = rows;
  let state = first.start_kind === 'event' ? null : first.start_document;
  // a compaction snapshot is the state after the first row: that row is already in it
  for (const row of first.start_kind === 'side' ? rows.slice(1) : rows) {
    if (row.kind === 'deleted') {
      if (row.snapshot && state !== null) onFullState?.(row, state);
      state = null;
    } else if (row.snapshot && (state === null || (row === first && first.start_kind === 'event'))) state = row.snapshot;
    else {
      state = replayEvent(row, state);
      if (row.snapshot) onFullState?.(row, state);
    }
  }
  return state;
}

/**
 * Shown each full state an event records (every N-th version's snapshot, a delete's last state) that
 * the fold did not start from, next to the state the fold reached there: verify() compares them.
 */
export type FullStateCheck = (row: FoldRow, replayed: ItemDocument) => void;

/** Called for an item whose log does not replay; without it, the ReplayError (INTEGRITY) fails the call. */
export type OnReplayError = (itemId: string, error: ReplayError) => void;

async function foldStates(db: MetaledgerDb, query: CompiledQuery, onReplayError?: OnReplayError): Promise<Map<string, ItemState>> {
  const { rows } = await db.executeQuery<FoldRow>(query);
  const byItem = new Map<string, FoldRow[]>();
  for (const row of rows) {
    const list = byItem.get(row.item_id) ?? [];
    list.push(row);
    byItem.set(row.item_id, list);
  }
  const states = new Map<string, ItemState>();
  for (const [itemId, itemRows] of byItem) {
    const last = itemRows[itemRows.length - 1];
    let document;
    try {
      document = foldRows(itemRows);
    } catch (error) {
      if (!(error instanceof ReplayError) || !onReplayError) throw error;
      onReplayError(itemId, error);
      continue;
    }
    states.set(itemId, { itemId, type: last.type, name: last.name, version: last.version, document, recordedAt: iso(last.recorded_at) });
  }
  return states;
}

/** Each item's state at a version of its own, one version per item (items at version 0 did not exist yet and are absent). */
export function statesAtVersions(
  db: MetaledgerDb,
  targets: { itemId: string; version: number }[],
  options: { useCompactionSnapshots?: boolean; onReplayError?: OnReplayError } = {},
): Promise<Map<string, ItemState>> {
  const existing = targets.filter((t) => t.version > 0);
  if (existing.length === 0) return Promise.resolve(new Map());
  const query = foldQuery(
    'SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(item_id, v)',
    [existing.map((t) => t.itemId), existing.map((t) => t.version)],
    options.useCompactionSnapshots ?? true,
  );
  return foldStates(db, query, options.onReplayError);
}

/** The state of every matching item at the moment (items that did not exist yet are absent). */
export async function statesAt(db: MetaledgerDb, moment: ResolvedMoment, filter: StatesAtFilter = {}): Promise<Map<string, ItemState>> {
  const states = await foldStates(db, momentTarget(moment, filter));
  for (const state of await prunedOnlyStates(db, moment, filter, states)) states.set(state.itemId, state);
  return states;
}

/**
 * Items whose every event up to the moment was pruned: the prune point answers when the moment is at
 * or after it; before it, history is gone and the caller is told where it now starts.
 */
async function prunedOnlyStates(
  db: MetaledgerDb,
  moment: ResolvedMoment,
  filter: StatesAtFilter,
  found: Map<string, ItemState>,
): Promise<ItemState[]> {
  const parameters: unknown[] = [];
  const conditions = ['true', ...filterConditions(filter, parameters, 'p.item_id', 's.type')];
  const { rows } = await db.executeQuery<PrunePointRow>(
    CompiledQuery.raw(
      `SELECT p.item_id, s.type, s.name, p.version, p.document, p.recorded_at, p.position, p.first_recorded_at, p.first_position
       FROM metadata_prune_points p JOIN metadata_streams s ON s.item_id = p.item_id WHERE ${conditions.join(' AND ')}`,
      parameters,
    ),
  );
  const states: ItemState[] = [];
  for (const point of rows) {
    if (found.has(point.item_id)) continue;
    const reach = reachOf(point, moment);
    if (reach === 'before-item') continue;
    if (reach === 'pruned') throw historyPruned(point.type, point.name, point.version, moment);
    states.push({
      itemId: point.item_id,
      type: point.type,
      name: point.name,
      version: point.version,
      document: point.document,
      recordedAt: iso(point.recorded_at),
    });
  }
  return states;
}

interface PrunePointRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  document: ItemDocument | null;
  recorded_at: Date | string;
  position: number;
  first_recorded_at: Date | string;
  first_position: number;
}

/** Where a moment falls against a prune point: before the item existed, inside removed history, or at/after the cut. */
function reachOf(point: PrunePointRow, moment: ResolvedMoment): 'before-item' | 'pruned' | 'at-point' {
  const [value, first, cut] =
    'version' in moment
      ? [moment.version, 1, point.version]
      : 'position' in moment
        ? [moment.position, Number(point.first_position), Number(point.position)]
        : [moment.asOf.getTime(), new Date(point.first_recorded_at).getTime(), new Date(point.recorded_at).getTime()];
  if (value < first) return 'before-item';
  return value < cut ? 'pruned' : 'at-point';
}

export function historyPruned(type: string, name: string, startsAt: number, moment: ResolvedMoment): MetaledgerError {
  return new MetaledgerError(
    'HISTORY_PRUNED',
    `${type}/${name}: history before ${describeMoment(moment)} was pruned; it now starts at version ${startsAt}`,
  );
}
