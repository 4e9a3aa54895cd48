import { Parameters, statement, type Statement } from '../../datasource/statement.js';
import type { ItemDocument } from '../../events/document.js';
import type { EventRow } from '../../events/event-row.js';
import type { ResolvedMoment } from '../moment.js';

// Time travel's reads: the events that fold items back to a moment, and what pruning left of them.

/**
 * Where an item's fold starts: a snapshot event (`event`), a compaction snapshot taken at the first
 * row's version (`side`: that row is already included), or a prune point just before the first row.
 */
export type FoldStart = 'event' | 'side' | 'prune';

/** One event of an item's fold, with where the fold starts. */
export interface FoldRow extends EventRow {
  start_kind: FoldStart;
  start_document: ItemDocument | null;
}

/** Which items a fold reads: some ids, some types, or all. */
export interface ItemFilter {
  itemIds?: readonly string[];
  types?: readonly string[];
}

/** SQL conditions for the filter, its values bound as the next parameters. */
function filterConditions(filter: ItemFilter, parameters: Parameters, itemColumn: string, typeColumn: string): string[] {
  const conditions: string[] = [];
  if (filter.itemIds) conditions.push(`${itemColumn} = ANY(${parameters.bind(filter.itemIds)}::uuid[])`);
  if (filter.types) conditions.push(`${typeColumn} = ANY(${parameters.bind(filter.types)}::text[])`);
  return conditions;
}

/** The condition selecting an item's events at or before the moment, on `e`. */
function atOrBefore(moment: ResolvedMoment, parameters: Parameters): string {
  if ('version' in moment) return `e.version <= ${parameters.bind(moment.version)}`;
  if ('position' in moment) return `e.position <= ${parameters.bind(moment.position)}`;
  return `e.recorded_at <= ${parameters.bind(moment.asOf)}`;
}

/**
 * Per item: the events from its last full state at or before the target version — a snapshot event, a
 * compaction snapshot (metadata_snapshots) or the prune point, whichever is latest — up to that version,
 * so at most `snapshotEvery` rows per item. `target` is a query yielding (item_id, v).
 */
function fold(name: string, target: string, values: readonly unknown[], useCompactionSnapshots: boolean): Statement<FoldRow> {
  return statement(
    name,
    `WITH target AS (${target}), base AS (
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
    ORDER BY e.item_id, e.version`,
    values,
  );
}

/** The fold of each given item up to a version of its own (versions > 0). */
export function foldToVersions(targets: readonly { itemId: string; version: number }[], useCompactionSnapshots = true): Statement<FoldRow> {
  return fold(
    'fold-to-versions',
    'SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(item_id, v)',
    [targets.map((t) => t.itemId), targets.map((t) => t.version)],
    useCompactionSnapshots,
  );
}

/** The fold of every matching item up to its last event at or before the moment. */
export function foldToMoment(moment: ResolvedMoment, filter: ItemFilter): Statement<FoldRow> {
  const parameters = new Parameters();
  const conditions = [atOrBefore(moment, parameters), ...filterConditions(filter, parameters, 'e.item_id', 'e.type')];
  const target = `SELECT e.item_id, max(e.version) AS v FROM metadata_events e WHERE ${conditions.join(' AND ')} GROUP BY e.item_id`;
  return fold('fold-to-moment', target, parameters.values, true);
}

/** One item's last retained version at or before a position or time (its indexes answer without a scan). */
export function versionAtMoment(itemId: string, moment: { position: number } | { asOf: Date }): Statement<{ version: number }> {
  // an item's positions grow with its versions: walk its (item_id, version) index down to the moment
  const [condition, order, bound] =
    'position' in moment
      ? ['position <= $2', 'version DESC', moment.position]
      : ['recorded_at <= $2', 'recorded_at DESC, version DESC', moment.asOf];
  return statement(
    'version-at-moment',
    `SELECT version FROM metadata_events WHERE item_id = $1 AND ${condition} ORDER BY ${order} LIMIT 1`,
    [itemId, bound],
  );
}

/** A prune point with its item's key. */
export interface PrunePointRow {
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

/** The prune points of the matching items. */
export function prunePoints(filter: ItemFilter): Statement<PrunePointRow> {
  const parameters = new Parameters();
  const conditions = ['true', ...filterConditions(filter, parameters, 'p.item_id', 's.type')];
  return statement(
    'prune-points',
    `SELECT p.item_id, s.type, s.name, p.version, p.document, p.recorded_at, p.position, p.first_recorded_at, p.first_position
     FROM metadata_prune_points p JOIN metadata_streams s ON s.item_id = p.item_id WHERE ${conditions.join(' AND ')}`,
    parameters.values,
  );
}

/** Restore points are changeset boundaries. The changeset a log position falls inside, when the changeset goes on past it (no row: a boundary). */
export function changesetAcross(position: number): Statement<{ changeset_id: string; first: number; last: number }> {
  return statement(
    'changeset-across',
    `SELECT e.changeset_id, min(e.position) AS first, max(e.position) AS last FROM metadata_events e
     WHERE e.changeset_id = (SELECT changeset_id FROM metadata_events WHERE position <= $1 ORDER BY position DESC LIMIT 1)
     GROUP BY e.changeset_id HAVING max(e.position) > $1`,
    [position],
  );
}
