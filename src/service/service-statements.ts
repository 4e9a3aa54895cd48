import { statement, type Statement } from '../datasource/statement.js';
import type { AccessRefusalsTable } from '../datasource/database-schema.js';
import type { Selectable } from 'kysely';
import type { Operation } from './access-policy.js';

// The service layer's own table: the access refusal log (sql/0006_access_refusals.sql).

/** One refused call: who, what, on which item, and why (sql/0006_access_refusals.sql); absent fields are stored as null. */
export interface AccessRefusal {
  principal?: string;
  roles: string[];
  operation: Operation;
  type: string;
  name?: string;
  scope?: string;
  owner?: string;
  reason: string;
  /** api, cli, http, import */
  source: string;
  correlationId?: string;
}

/** Logs one refused call; its id and time come from the table's defaults. */
export function recordRefusal(refusal: AccessRefusal): Statement<never> {
  return statement(
    'record-refusal',
    `INSERT INTO metadata_access_refusals (principal, roles, operation, type, name, scope, owner, reason, source, correlation_id)
     VALUES ($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      refusal.principal ?? null,
      refusal.roles,
      refusal.operation,
      refusal.type,
      refusal.name ?? null,
      refusal.scope ?? null,
      refusal.owner ?? null,
      refusal.reason,
      refusal.source,
      refusal.correlationId ?? null,
    ],
  );
}

/** Which refusals a page reads; see `RefusalQuery`. */
export interface RefusalFilter {
  principal?: string;
  since?: Date | string;
  after?: number;
  limit?: number;
}

/** A row of `metadata_access_refusals` as read (PGlite may hand the time back as text). */
export type RefusalRow = Omit<Selectable<AccessRefusalsTable>, 'refused_at'> & { refused_at: Date | string };

/**
 * A page of refusals in id order after `after` (0: from the start), 100 unless `limit` says otherwise.
 * The principal and since filters are bound even when absent (null disables them): one text for all.
 */
export function refusalsPage(filter: RefusalFilter = {}): Statement<RefusalRow> {
  return statement(
    'refusals-page',
    `SELECT id, refused_at, principal, roles, operation, type, name, scope, owner, reason, source, correlation_id
     FROM metadata_access_refusals
     WHERE ($1::text IS NULL OR principal = $1)
       AND ($2::timestamptz IS NULL OR refused_at >= $2)
       AND id > $3
     ORDER BY id LIMIT $4`,
    [filter.principal ?? null, filter.since === undefined ? null : new Date(filter.since), filter.after ?? 0, filter.limit ?? 100],
  );
}
