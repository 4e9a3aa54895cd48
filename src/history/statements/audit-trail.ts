import { Parameters, statement, type Statement } from '../../datasource/statement.js';
import type { EventKind } from '../../events/document.js';
import type { PatchOperation } from '../../events/patch.js';

// The audit trail's reads: one item's events (history, blame) and the store-wide feed (changes).

/** One event joined with its changeset, as the audit trail shows it. */
export interface AuditRow {
  position: number;
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  namespace: string | null;
  scope: string | null;
  owner: string | null;
  actor: string | null;
  reason: string | null;
  correlation_id: string | null;
  source: string;
  changeset_id: string;
  recorded_at: Date | string;
  patch: PatchOperation[];
  target: Record<string, unknown> | null;
  tx_id: string;
}

const auditColumns = `e.position, e.type, e.name, e.version, e.kind, e.namespace, e.scope, e.owner, c.actor, c.reason, c.correlation_id,
  c.source, e.changeset_id, e.recorded_at, e.patch, c.target, e.tx_id::text AS tx_id`;

const eventsWithChangesets = 'metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id';

/** Which of one item's events a history page shows. */
export interface ItemHistoryFilter {
  itemId: string;
  since?: Date;
  until?: Date;
  actor?: string;
  kinds?: readonly EventKind[];
}

function itemHistoryConditions(filter: ItemHistoryFilter): { where: string; parameters: Parameters } {
  const parameters = new Parameters(filter.itemId);
  const conditions = ['e.item_id = $1'];
  if (filter.since !== undefined) conditions.push(`e.recorded_at >= ${parameters.bind(filter.since)}`);
  if (filter.until !== undefined) conditions.push(`e.recorded_at <= ${parameters.bind(filter.until)}`);
  if (filter.actor !== undefined) conditions.push(`c.actor = ${parameters.bind(filter.actor)}`);
  if (filter.kinds?.length) conditions.push(`e.kind = ANY(${parameters.bind(filter.kinds)}::text[])`);
  return { where: conditions.join(' AND '), parameters };
}

/** A page of one item's events, newest first, each with the total that matches the filter. */
export function itemHistoryPage(
  filter: ItemHistoryFilter,
  page: { limit: number; offset: number },
): Statement<AuditRow & { total: number }> {
  const { where, parameters } = itemHistoryConditions(filter);
  return statement(
    'item-history-page',
    `SELECT ${auditColumns}, count(*) OVER () AS total FROM ${eventsWithChangesets}
     WHERE ${where} ORDER BY e.version DESC LIMIT ${parameters.bind(page.limit)} OFFSET ${parameters.bind(page.offset)}`,
    parameters.values,
  );
}

/** How many of one item's events match the filter (for a page past the end, which carries no total). */
export function itemHistoryCount(filter: ItemHistoryFilter): Statement<{ total: number }> {
  const { where, parameters } = itemHistoryConditions(filter);
  return statement('item-history-count', `SELECT count(*) AS total FROM ${eventsWithChangesets} WHERE ${where}`, parameters.values);
}

/** Which events of the store-wide feed a page shows. */
export interface ChangesFilter {
  since?: Date;
  until?: Date;
  actor?: string;
  types?: readonly string[];
  namespace?: string;
  changesetId?: string;
  /** The last (tx id, position) of the previous page. */
  after?: readonly [string, number];
  /** A feed started "from now": the snapshot at its start, whose committed transactions it leaves out. */
  committedBefore?: string;
}

/**
 * A page of the store-wide feed in commit order. Only events of transactions older than every running
 * one are read (tx_id below the snapshot's xmin), so a cursor never skips a late-committing write. One
 * changeset is read as committed: its parts commit one after another, each with a newer transaction id
 * than the last, so no cursor inside it skips one, and a transaction elsewhere does not hide it.
 */
export function changesPage(filter: ChangesFilter, limit: number): Statement<AuditRow> {
  const parameters = new Parameters();
  const conditions = filter.changesetId === undefined ? ['e.tx_id < pg_snapshot_xmin(pg_current_snapshot())'] : [];
  if (filter.since !== undefined) conditions.push(`e.recorded_at >= ${parameters.bind(filter.since)}`);
  if (filter.until !== undefined) conditions.push(`e.recorded_at <= ${parameters.bind(filter.until)}`);
  if (filter.actor !== undefined) conditions.push(`c.actor = ${parameters.bind(filter.actor)}`);
  if (filter.types?.length) conditions.push(`e.type = ANY(${parameters.bind(filter.types)}::text[])`);
  if (filter.namespace !== undefined) conditions.push(`e.namespace = ${parameters.bind(filter.namespace)}`);
  if (filter.changesetId !== undefined) conditions.push(`e.changeset_id = ${parameters.bind(filter.changesetId)}::uuid`);
  if (filter.committedBefore !== undefined)
    conditions.push(`NOT pg_visible_in_snapshot(e.tx_id, ${parameters.bind(filter.committedBefore)}::text::pg_snapshot)`);
  if (filter.after !== undefined) {
    const [txId, position] = filter.after;
    conditions.push(`(e.tx_id, e.position) > (${parameters.bind(txId)}::text::xid8, ${parameters.bind(position)}::bigint)`);
  }
  return statement(
    'changes-page',
    `SELECT ${auditColumns} FROM ${eventsWithChangesets}
     WHERE ${conditions.join(' AND ')} ORDER BY e.tx_id, e.position LIMIT ${parameters.bind(limit)}`,
    parameters.values,
  );
}

/** One retained event of an item with who made it, for blame. */
export interface BlameRow {
  version: number;
  kind: EventKind;
  patch: PatchOperation[];
  actor: string | null;
  reason: string | null;
  recorded_at: Date;
}

/** Every retained event of one item, oldest first, with its changeset's actor and reason. */
export function blameEvents(itemId: string): Statement<BlameRow> {
  return statement(
    'blame-events',
    `SELECT e.version, e.kind, e.patch, c.actor, c.reason, e.recorded_at FROM ${eventsWithChangesets}
     WHERE e.item_id = $1 ORDER BY e.version`,
    [itemId],
  );
}

/** Where one item's pruned history ends (no row when nothing was pruned). */
export function prunePointOf(itemId: string): Statement<{ version: number; recorded_at: Date }> {
  return statement('prune-point-of', 'SELECT version, recorded_at FROM metadata_prune_points WHERE item_id = $1', [itemId]);
}
