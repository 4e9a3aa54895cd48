import { runStatement } from '../datasource/statement.js';
import { eventLogSummary, streamCounts } from '../events/statements.js';
import { readMigrationFiles } from '../migrate/migrator.js';
import { appliedMigrations } from '../migrate/migration-statements.js';
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
  const applied = (await runStatement(store.db, appliedMigrations())).map((row) => row.name);
  const [items] = await runStatement(store.db, streamCounts());
  const [events] = await runStatement(store.db, eventLogSummary());
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
