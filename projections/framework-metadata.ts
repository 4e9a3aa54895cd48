import { runStatement } from '../src/datasource/statement.js';
import type { ProjectedEvent, ProjectionDefinition } from '../src/projections/projection.js';
import type { FrameworkMetadataTable } from './framework-metadata-table.js';
import { onConflictUpdate, removeProjectedRows, truncateProjection, upsertColumns, upsertProjectedRows } from './statements.js';

// The table itself (names, columns, indexes, DDL) is described in its own module.
export type { FrameworkMetadataColumns, FrameworkMetadataTable } from './framework-metadata-table.js';

/**
 * Refills the projection from the log: each live item's current document (metadata_streams), who
 * created it (the first event since its last delete) and who changed it last — what the inline
 * projection would have written.
 */
export function rebuildTableSql(table: FrameworkMetadataTable): string {
  const c = table.columns;
  const audit = `SELECT ch.actor, e.recorded_at FROM metadata_events e JOIN metadata_changesets ch ON ch.id = e.changeset_id WHERE e.item_id = s.item_id`;
  return `
TRUNCATE ${table.qualifiedName};
INSERT INTO ${table.qualifiedName} (${[c.id, c.name, c.type, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.createdBy, c.createdAt, c.updatedBy, c.updatedAt, c.version].join(', ')})
SELECT s.document->>'id', s.name, s.type, s.document->>'namespace', s.document->>'scope', s.document->'metadata',
       s.document->>'extends', s.document->>'strategy', s.document->>'owner', s.document->>'state',
       coalesce(created.actor, updated.actor), coalesce(created.recorded_at, updated.recorded_at, s.updated_at),
       updated.actor, coalesce(updated.recorded_at, s.updated_at), s.version
FROM metadata_streams s
LEFT JOIN LATERAL (${audit} AND e.version = s.version) updated ON true
LEFT JOIN LATERAL (
  ${audit} AND e.version > coalesce((SELECT max(d.version) FROM metadata_events d WHERE d.item_id = s.item_id AND d.kind = 'deleted'), 0)
  ORDER BY e.version LIMIT 1
) created ON true
WHERE s.document IS NOT NULL;`;
}

/**
 * The inline projection as CTEs of the append statement, so a save stays one round trip. They read the
 * `hashed` CTE (one row per event with its next `document`, `version`, `recorded_at`), write only when
 * the `complete` CTE says every stream advanced, and take the actor of each event's changeset from it.
 */
export function inlineProjectionCtes(table: FrameworkMetadataTable): string {
  const c = table.columns;
  return `
projected AS (
  INSERT INTO ${table.qualifiedName} AS p (${upsertColumns(c).join(', ')})
  SELECT h.document->>'id', h.name, h.type, h.document->>'namespace', h.document->>'scope', h.document->'metadata',
         h.document->>'extends', h.document->>'strategy', h.document->>'owner', h.document->>'state',
         h.actor, h.recorded_at, h.actor, h.recorded_at, h.version
  FROM hashed h
  WHERE h.document IS NOT NULL AND (SELECT ok FROM complete)
  ${onConflictUpdate(c)}
),
unprojected AS (
  DELETE FROM ${table.qualifiedName} p
  USING hashed h
  WHERE h.document IS NULL AND (SELECT ok FROM complete) AND p.${c.type} = h.type AND p.${c.name} = h.name
)`;
}

/** Reads projection rows back as protocol records (camelCase keys). */
export function recordColumnsSql(table: FrameworkMetadataTable, alias = 'p'): string {
  return Object.entries(table.columns)
    .map(([field, column]) => `${alias}.${column} AS "${field}"`)
    .join(', ');
}

interface ProjectedRow {
  type: string;
  name: string;
  document: Record<string, unknown>;
  version: number;
  createdBy: string | null;
  createdAt: string;
  updatedBy: string | null;
  updatedAt: string;
}

/** Folds a batch of events into, per item, whether its row must go first (a delete) and the row it ends as. */
function foldBatch(events: ProjectedEvent[]): { removed: { type: string; name: string }[]; rows: ProjectedRow[] } {
  const items = new Map<string, { removed: boolean; created?: ProjectedEvent; last: ProjectedEvent }>();
  for (const event of events) {
    const key = `${event.type}\u0000${event.name}`;
    const item = items.get(key) ?? { removed: false, last: event };
    if (event.document === null) Object.assign(item, { removed: true, created: undefined });
    else if (event.previous === null) item.created = event;
    item.last = event;
    items.set(key, item);
  }
  const all = [...items.values()];
  return {
    removed: all.filter((item) => item.removed).map(({ last }) => ({ type: last.type, name: last.name })),
    rows: all
      .filter((item) => item.last.document !== null)
      .map(({ created, last }) => ({
        type: last.type,
        name: last.name,
        document: last.document as unknown as Record<string, unknown>,
        version: last.version,
        createdBy: (created ?? last).actor,
        createdAt: (created ?? last).recordedAt,
        updatedBy: last.actor,
        updatedAt: last.recordedAt,
      })),
  };
}

/**
 * The projection as the projection runner drives it (async mode, rebuilds into a fresh copy): the same
 * rows the inline CTEs write, for any quoted `target` table shaped like this one.
 */
export function frameworkMetadataProjection(table: FrameworkMetadataTable): ProjectionDefinition {
  const c = table.columns;
  return {
    name: 'framework-metadata',
    version: 1,
    kinds: 'all',
    defaultMode: 'inline',
    stateOnly: true,
    table: table.qualifiedName,
    // Nothing to do: autoMigrate (prepareProjection) or migrate({ type: 'create' }) creates this table with
    // its configured indexes and fills it from the log; with autoMigrate off the caller owns the schema.
    async ensureTable() {},
    async apply(trx, events, target) {
      const { removed, rows } = foldBatch(events);
      if (removed.length > 0) {
        await runStatement(trx, removeProjectedRows(target, c, removed));
      }
      if (rows.length === 0) return;
      await runStatement(trx, upsertProjectedRows(target, c, rows));
    },
    async reset(trx, target) {
      await runStatement(trx, truncateProjection(target));
    },
  };
}
