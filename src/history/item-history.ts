import { CompiledQuery } from 'kysely';
import { ValidationError } from '../errors.js';
import { eventKinds, type EventKind } from '../events/document.js';
import type { PatchOperation } from '../events/patch.js';
import { requireStream } from './item-ref.js';
import { checkPage } from './paging.js';
import { summarizePatch } from './summarize.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** One event as the audit trail shows it: what changed, who, why, when, and in which changeset. */
export interface AuditEvent {
  position: number;
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  /** The item's envelope after the event (before it, for a delete): who may read the event. */
  namespace: string | null;
  scope: string | null;
  owner: string | null;
  actor: string | null;
  reason: string | null;
  correlationId: string | null;
  source: string;
  changesetId: string;
  recordedAt: string;
  patch: PatchOperation[];
  summary: string;
  /** For rollback / restore changesets: what they aimed at. */
  target: Record<string, unknown> | null;
  /** Commit-order cursor of this event (tx id and position). */
  cursor: string;
}

export const auditEventColumns = `
  e.position, e.type, e.name, e.version, e.kind, e.namespace, e.scope, e.owner, c.actor, c.reason, c.correlation_id, c.source,
  e.changeset_id, e.recorded_at, e.patch, c.target, e.tx_id::text AS tx_id`;

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

export function toAuditEvent(row: AuditRow): AuditEvent {
  const rollbackTo = (row.target?.rollbackTo as { version?: number } | undefined)?.version;
  return {
    position: Number(row.position),
    type: row.type,
    name: row.name,
    version: row.version,
    kind: row.kind,
    namespace: row.namespace,
    scope: row.scope,
    owner: row.owner,
    actor: row.actor,
    reason: row.reason,
    correlationId: row.correlation_id,
    source: row.source,
    changesetId: row.changeset_id,
    recordedAt: new Date(row.recorded_at).toISOString(),
    patch: row.patch,
    summary: summarizePatch(row.patch, row.kind, rollbackTo),
    target: row.target,
    cursor: `${row.tx_id}:${row.position}`,
  };
}

/** Filters and paging of `store.history(type, name)`. */
export interface HistoryOptions {
  /** Events per page. */
  limit?: number;
  /** Events to skip (newest first). */
  offset?: number;
  /** Only events recorded at or after this moment. */
  since?: Date | string;
  /** Only events recorded at or before this moment. */
  until?: Date | string;
  /** Only events whose changeset has this actor. */
  actor?: string;
  /** Only events of these kinds. */
  kinds?: EventKind[];
}

/** One page of an item's history, newest first, with the total matching. */
export interface HistoryPage {
  events: AuditEvent[];
  total: number;
  hasMore: boolean;
}

/** An item's events, newest first, filtered and paged. */
export async function itemHistory(db: MetaledgerDb, type: string, name: string, options: HistoryOptions = {}): Promise<HistoryPage> {
  const head = await requireStream(db, type, name);
  const parameters: unknown[] = [head.itemId];
  const conditions = ['e.item_id = $1'];
  const add = (condition: string, value: unknown) => {
    parameters.push(value);
    conditions.push(condition.replace('?', `$${parameters.length}`));
  };
  if (options.since !== undefined) add('e.recorded_at >= ?', new Date(options.since));
  if (options.until !== undefined) add('e.recorded_at <= ?', new Date(options.until));
  if (options.actor !== undefined) add('c.actor = ?', options.actor);
  const unknownKinds = (options.kinds ?? []).filter((kind) => !(eventKinds as readonly string[]).includes(kind));
  if (unknownKinds.length) {
    throw new ValidationError(
      [{ path: 'kinds', message: `unknown event kind ${unknownKinds.join(', ')} (kinds: ${eventKinds.join(', ')})` }],
      'invalid history options',
    );
  }
  if (options.kinds?.length) add('e.kind = ANY(?::text[])', options.kinds);
  const { limit, offset } = checkPage(options.limit ?? 50, options.offset ?? 0);
  const { rows } = await db.executeQuery<AuditRow & { total: number }>(
    CompiledQuery.raw(
      `SELECT ${auditEventColumns}, count(*) OVER () AS total
       FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id
       WHERE ${conditions.join(' AND ')} ORDER BY e.version DESC LIMIT ${limit} OFFSET ${offset}`,
      parameters,
    ),
  );
  const total = rows.length > 0 ? Number(rows[0].total) : await countAll(db, conditions, parameters);
  return { events: rows.map(toAuditEvent), total, hasMore: offset + rows.length < total };
}

/** The total when the page itself is empty (offset past the end). */
async function countAll(db: MetaledgerDb, conditions: string[], parameters: unknown[]): Promise<number> {
  const { rows } = await db.executeQuery<{ total: number }>(
    CompiledQuery.raw(
      `SELECT count(*) AS total FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id WHERE ${conditions.join(' AND ')}`,
      parameters,
    ),
  );
  return Number(rows[0]?.total ?? 0);
}
