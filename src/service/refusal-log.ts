import { sql, type Selectable } from 'kysely';
import type { Operation } from './access-policy.js';
import type { AccessRefusalsTable, MetaledgerDb } from '../datasource/database-schema.js';

/** One refused call: who, what, on which item, and why (sql/0006_access_refusals.sql). */
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

/** A logged refusal, with its id and time. */
export interface RecordedRefusal extends AccessRefusal {
  id: number;
  refusedAt: string;
}

/** Which refusals to read back. */
export interface RefusalQuery {
  principal?: string;
  since?: Date | string;
  /** The `id` of the last refusal already seen. */
  after?: number;
  limit?: number;
}

/** Where refusals go; the database one keeps them beside the event log. */
export interface RefusalLog {
  record(refusal: AccessRefusal): Promise<void>;
  list(query?: RefusalQuery): Promise<RecordedRefusal[]>;
}

/** A row of `metadata_access_refusals` as read (PGlite may hand the time back as text). */
type RefusalRow = Omit<Selectable<AccessRefusalsTable>, 'refused_at'> & { refused_at: Date | string };

function toRefusal(row: RefusalRow): RecordedRefusal {
  const optional = { principal: row.principal, name: row.name, scope: row.scope, owner: row.owner, correlationId: row.correlation_id };
  return {
    id: Number(row.id),
    refusedAt: new Date(row.refused_at).toISOString(),
    roles: row.roles,
    operation: row.operation,
    type: row.type,
    reason: row.reason,
    source: row.source,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null)),
  };
}

/** The refusal log in the store's database (`metadata_access_refusals`). */
export function databaseRefusalLog(db: MetaledgerDb): RefusalLog {
  return {
    async record(refusal) {
      await sql`
        INSERT INTO metadata_access_refusals (principal, roles, operation, type, name, scope, owner, reason, source, correlation_id)
        VALUES (${refusal.principal ?? null}, ${refusal.roles}::text[], ${refusal.operation}, ${refusal.type}, ${refusal.name ?? null},
                ${refusal.scope ?? null}, ${refusal.owner ?? null}, ${refusal.reason}, ${refusal.source}, ${refusal.correlationId ?? null})`.execute(
        db,
      );
    },
    async list(query = {}) {
      const { rows } = await sql<RefusalRow>`
        SELECT id, refused_at, principal, roles, operation, type, name, scope, owner, reason, source, correlation_id
        FROM metadata_access_refusals
        WHERE (${query.principal ?? null}::text IS NULL OR principal = ${query.principal ?? null})
          AND (${query.since === undefined ? null : new Date(query.since)}::timestamptz IS NULL OR refused_at >= ${query.since === undefined ? null : new Date(query.since)})
          AND id > ${query.after ?? 0}
        ORDER BY id LIMIT ${query.limit ?? 100}`.execute(db);
      return rows.map(toRefusal);
    },
  };
}
