import { CompiledQuery } from 'kysely';
import type { ProjectionDefinition } from '../src/projections/projection.js';
import type { MetaledgerDb } from '../src/datasource/database-schema.js';

/**
 * MetadataCollectionInfo per type: how many live items, in which namespaces. Kept as counts per
 * (type, namespace) so every event is a pair of increments, never a scan.
 */
export const collectionInfoProjection: ProjectionDefinition = {
  name: 'collection-info',
  version: 1,
  kinds: 'all',
  defaultMode: 'async',
  stateOnly: true,
  table: 'metadata_collection_info',
  async ensureTable(db, table) {
    await db.executeQuery(
      CompiledQuery.raw(`CREATE TABLE IF NOT EXISTS ${table} (
        type varchar(100) NOT NULL, namespace varchar(255) NOT NULL, count integer NOT NULL,
        PRIMARY KEY (type, namespace))`),
    );
  },
  async apply(trx, events, table) {
    const deltas = new Map<string, { type: string; namespace: string; delta: number }>();
    const add = (type: string, namespace: string, delta: number) => {
      const key = `${type}\u0000${namespace}`;
      const entry = deltas.get(key) ?? { type, namespace, delta: 0 };
      entry.delta += delta;
      deltas.set(key, entry);
    };
    for (const event of events) {
      if (event.previous) add(event.type, event.previous.namespace, -1);
      if (event.document) add(event.type, event.document.namespace, +1);
    }
    const changed = [...deltas.values()].filter((d) => d.delta !== 0);
    if (changed.length === 0) return;
    await trx.executeQuery(
      CompiledQuery.raw(
        `INSERT INTO ${table} AS t (type, namespace, count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
         ON CONFLICT (type, namespace) DO UPDATE SET count = t.count + excluded.count`,
        [changed.map((d) => d.type), changed.map((d) => d.namespace), changed.map((d) => d.delta)],
      ),
    );
    await trx.executeQuery(CompiledQuery.raw(`DELETE FROM ${table} WHERE count = 0`));
  },
  async reset(trx, table) {
    await trx.executeQuery(CompiledQuery.raw(`TRUNCATE ${table}`));
  },
};

/** Reads the projection as the protocol's MetadataCollectionInfo list. */
export async function readCollectionInfo(
  db: MetaledgerDb,
  table = 'metadata_collection_info',
): Promise<{ type: string; count: number; namespaces: string[] }[]> {
  const { rows } = await db.executeQuery<{ type: string; count: number; namespaces: string[] }>(
    CompiledQuery.raw(
      `SELECT type, sum(count)::int AS count, array_agg(namespace ORDER BY namespace) AS namespaces FROM ${table} GROUP BY type ORDER BY type`,
    ),
  );
  return rows;
}
