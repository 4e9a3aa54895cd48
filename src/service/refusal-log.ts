import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { recordRefusal, refusalsPage, type AccessRefusal, type RefusalRow } from './service-statements.js';

export type { AccessRefusal };

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
      await runStatement(db, recordRefusal(refusal));
    },
    async list(query = {}) {
      const rows = await runStatement(db, refusalsPage(query));
      return rows.map(toRefusal);
    },
  };
}
