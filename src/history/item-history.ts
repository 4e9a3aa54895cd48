import { ValidationError } from '../errors.js';
import { eventKinds, type EventKind } from '../events/document.js';
import type { PatchOperation } from '../events/patch.js';
import { requireStream } from './item-ref.js';
import { checkPage } from './paging.js';
import { summarizePatch } from './summarize.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { itemHistoryCount, itemHistoryPage, type AuditRow, type ItemHistoryFilter } from './statements/audit-trail.js';

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
  const unknownKinds = (options.kinds ?? []).filter((kind) => !(eventKinds as readonly string[]).includes(kind));
  if (unknownKinds.length) {
    throw new ValidationError(
      [{ path: 'kinds', message: `unknown event kind ${unknownKinds.join(', ')} (kinds: ${eventKinds.join(', ')})` }],
      'invalid history options',
    );
  }
  const { limit, offset } = checkPage(options.limit ?? 50, options.offset ?? 0);
  const filter: ItemHistoryFilter = {
    itemId: head.itemId,
    since: options.since === undefined ? undefined : new Date(options.since),
    until: options.until === undefined ? undefined : new Date(options.until),
    actor: options.actor,
    kinds: options.kinds,
  };
  const rows = await runStatement(db, itemHistoryPage(filter, { limit, offset }));
  // a page past the end carries no total
  const total = rows.length > 0 ? Number(rows[0].total) : Number((await runStatement(db, itemHistoryCount(filter)))[0]?.total ?? 0);
  return { events: rows.map(toAuditEvent), total, hasMore: offset + rows.length < total };
}
