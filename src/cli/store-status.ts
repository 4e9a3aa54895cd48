import { sql } from 'kysely';
import { readMigrationFiles } from '../migrate/migrator.js';
import type { ProjectionStatus } from '../projections/projection-runner.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** What `metaledger status` reports about an open store, beyond where it is. */
export interface StoreStatus {
  migrations: { applied: number; latest: string | null; pending: string[] };
  items: { live: number; deleted: number };
  events: { count: number; lastPosition: number | null; lastRecordedAt: string | null };
  projections: ProjectionStatus[];
}

/** Reads the status from the store's own tables (exact counts: a metadata store is small). */
export async function readStoreStatus(store: MetadataStore): Promise<StoreStatus> {
  const applied = (await sql<{ name: string }>`SELECT name FROM metaledger_migrations ORDER BY name`.execute(store.db)).rows.map(
    (row) => row.name,
  );
  const [items] = (
    await sql<{ live: number; deleted: number }>`
      SELECT count(*) FILTER (WHERE document IS NOT NULL)::int AS live, count(*) FILTER (WHERE document IS NULL)::int AS deleted
      FROM metadata_streams`.execute(store.db)
  ).rows;
  const [events] = (
    await sql<{ count: number; last_position: number | null; last_recorded_at: Date | null }>`
      SELECT count(*)::int AS count, max(position)::float8 AS last_position, max(recorded_at) AS last_recorded_at
      FROM metadata_events`.execute(store.db)
  ).rows;
  const known = new Set(applied);
  return {
    migrations: {
      applied: applied.length,
      latest: applied.at(-1) ?? null,
      pending: readMigrationFiles()
        .map((file) => file.name)
        .filter((name) => !known.has(name)),
    },
    items,
    events: {
      count: events.count,
      lastPosition: events.last_position,
      lastRecordedAt: events.last_recorded_at && new Date(events.last_recorded_at).toISOString(),
    },
    projections: await store.projectionStatus(),
  };
}
