import { statement, type Statement } from '../src/datasource/statement.js';
import type { FrameworkMetadataColumns } from '../src/table/framework-metadata-table.js';

// The statements of the bundled projections. Their tables are named by the projection runner (quoted and
// validated from the configuration), so each takes it; framework-metadata's also take its column mapping.

/** The projection row's columns an upsert writes, in the order its SELECTs produce them. */
export const upsertColumns = (c: FrameworkMetadataColumns) => [
  c.id,
  c.name,
  c.type,
  c.namespace,
  c.scope,
  c.metadata,
  c.extends,
  c.strategy,
  c.owner,
  c.state,
  c.createdBy,
  c.createdAt,
  c.updatedBy,
  c.updatedAt,
  c.version,
];

/** An existing row keeps who created it and when; everything else follows the latest event. */
export const onConflictUpdate = (c: FrameworkMetadataColumns) =>
  `ON CONFLICT (${c.type}, ${c.name}) DO UPDATE SET ${[c.id, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.updatedBy, c.updatedAt, c.version].map((col) => `${col} = excluded.${col}`).join(', ')}`;

/** Removes the rows of deleted items, given as (type, name) keys in one jsonb array. */
export function removeProjectedRows(
  target: string,
  c: FrameworkMetadataColumns,
  removed: readonly { type: string; name: string }[],
): Statement<never> {
  return statement(
    'remove-projected-rows',
    `DELETE FROM ${target} p USING jsonb_to_recordset($1::jsonb) AS k(type text, name text) WHERE p.${c.type} = k.type AND p.${c.name} = k.name`,
    [JSON.stringify(removed)],
  );
}

/** Writes each live item's latest row, given as one jsonb array: the same row the inline CTEs write. */
export function upsertProjectedRows(target: string, c: FrameworkMetadataColumns, rows: readonly object[]): Statement<never> {
  return statement(
    'upsert-projected-rows',
    `INSERT INTO ${target} AS p (${upsertColumns(c).join(', ')})
     SELECT r.document->>'id', r.name, r.type, r.document->>'namespace', r.document->>'scope', r.document->'metadata',
            r.document->>'extends', r.document->>'strategy', r.document->>'owner', r.document->>'state',
            r."createdBy", r."createdAt", r."updatedBy", r."updatedAt", r.version
     FROM jsonb_to_recordset($1::jsonb) AS r(type text, name text, document jsonb, version integer,
          "createdBy" text, "createdAt" timestamptz, "updatedBy" text, "updatedAt" timestamptz)
     ${onConflictUpdate(c)}`,
    [JSON.stringify(rows)],
  );
}

/** Empties a projection table before a rebuild replays the log into it. */
export function truncateProjection(table: string): Statement<never> {
  return statement('truncate-projection', `TRUNCATE ${table}`);
}

/** collection-info's table: one count per (type, namespace). */
export function createCollectionInfo(table: string): Statement<never> {
  return statement(
    'create-collection-info',
    `CREATE TABLE IF NOT EXISTS ${table} (
       type varchar(100) NOT NULL, namespace varchar(255) NOT NULL, count integer NOT NULL,
       PRIMARY KEY (type, namespace))`,
  );
}

/** Adds each (type, namespace) delta to its count in one statement, a new pair starting from its delta. */
export function addCollectionCounts(
  table: string,
  deltas: readonly { type: string; namespace: string; delta: number }[],
): Statement<never> {
  return statement(
    'add-collection-counts',
    `INSERT INTO ${table} AS t (type, namespace, count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
     ON CONFLICT (type, namespace) DO UPDATE SET count = t.count + excluded.count`,
    [deltas.map((d) => d.type), deltas.map((d) => d.namespace), deltas.map((d) => d.delta)],
  );
}

/** Drops the pairs no live item holds any more: a namespace listed is one with items. */
export function dropEmptyCollections(table: string): Statement<never> {
  return statement('drop-empty-collections', `DELETE FROM ${table} WHERE count = 0`);
}

/** Per type: its live items and their namespaces, in type order (MetadataCollectionInfo). */
export function collectionInfo(table: string): Statement<{ type: string; count: number; namespaces: string[] }> {
  return statement(
    'collection-info',
    `SELECT type, sum(count)::int AS count, array_agg(namespace ORDER BY namespace) AS namespaces FROM ${table} GROUP BY type ORDER BY type`,
  );
}

/** actor-activity's table: per actor and type, how many events and the last one's time. */
export function createActorActivity(table: string): Statement<never> {
  return statement(
    'create-actor-activity',
    `CREATE TABLE IF NOT EXISTS ${table} (
       actor text NOT NULL, type varchar(100) NOT NULL, events bigint NOT NULL, last_change_at timestamptz NOT NULL,
       PRIMARY KEY (actor, type))`,
  );
}

/** Adds a batch's totals per (actor, type) in one statement, keeping the later of the two last-change times. */
export function addActorActivity(
  table: string,
  totals: readonly { actor: string; type: string; events: number; last: string }[],
): Statement<never> {
  return statement(
    'add-actor-activity',
    `INSERT INTO ${table} AS t (actor, type, events, last_change_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
     ON CONFLICT (actor, type) DO UPDATE
       SET events = t.events + excluded.events, last_change_at = greatest(t.last_change_at, excluded.last_change_at)`,
    [totals.map((r) => r.actor), totals.map((r) => r.type), totals.map((r) => r.events), totals.map((r) => r.last)],
  );
}
