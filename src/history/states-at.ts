import { MetaledgerError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import { ReplayError, replayEvent } from '../events/replay.js';
import { describeMoment, type ResolvedMoment } from './moment.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement, type Statement } from '../datasource/statement.js';
import { foldToMoment, foldToVersions, prunePoints, type FoldRow, type ItemFilter, type PrunePointRow } from './statements/time-travel.js';

export type { FoldRow } from './statements/time-travel.js';

/** One item as it was at a moment: alive with its document, or deleted (then `document` is null). */
export interface ItemState {
  itemId: string;
  type: string;
  name: string;
  version: number;
  document: ItemDocument | null;
  recordedAt: string;
}

/** Which items `statesAt` reads. */
export type StatesAtFilter = ItemFilter;

const iso = (value: Date | string) => new Date(value).toISOString();

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

async function foldStates(db: MetaledgerDb, fold: Statement<FoldRow>, onReplayError?: OnReplayError): Promise<Map<string, ItemState>> {
  const rows = await runStatement(db, fold);
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
  const fold = foldToVersions(existing, options.useCompactionSnapshots ?? true);
  return foldStates(db, fold, options.onReplayError);
}

/** The state of every matching item at the moment (items that did not exist yet are absent). */
export async function statesAt(db: MetaledgerDb, moment: ResolvedMoment, filter: StatesAtFilter = {}): Promise<Map<string, ItemState>> {
  const states = await foldStates(db, foldToMoment(moment, filter));
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
  const rows = await runStatement(db, prunePoints(filter));
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
