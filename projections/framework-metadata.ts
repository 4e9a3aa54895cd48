import { runStatement } from '../src/datasource/statement.js';
import type { ProjectedEvent, ProjectionDefinition } from '../src/projections/projection.js';
import type { FrameworkMetadataTable } from '../src/table/framework-metadata-table.js';
import { onConflictUpdate, removeProjectedRows, truncateProjection, upsertColumns, upsertProjectedRows } from './statements.js';

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
