import type { ProjectionDefinition } from '../src/projections/projection.js';
import type { MetaledgerDb } from '../src/datasource/database-schema.js';
import { runStatement } from '../src/datasource/statement.js';
import { addCollectionCounts, collectionInfo, createCollectionInfo, dropEmptyCollections, truncateProjection } from './statements.js';

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
    await runStatement(db, createCollectionInfo(table));
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
    await runStatement(trx, addCollectionCounts(table, changed));
    await runStatement(trx, dropEmptyCollections(table));
  },
  async reset(trx, table) {
    await runStatement(trx, truncateProjection(table));
  },
};

/** Reads the projection as the protocol's MetadataCollectionInfo list. */
export async function readCollectionInfo(
  db: MetaledgerDb,
  table = 'metadata_collection_info',
): Promise<{ type: string; count: number; namespaces: string[] }[]> {
  return runStatement(db, collectionInfo(table));
}
