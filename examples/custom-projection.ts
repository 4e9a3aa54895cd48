// A custom projection: a read model of your own, kept up to date from the log, and the change feed.
// Run: npx tsx examples/custom-projection.ts
import { CompiledQuery } from 'kysely';
import { createMetadataStore, type MetadataStore, type ProjectionDefinition, type WatchEvent } from '../src/index.js';
import { withTemporaryDirectory } from './temporary-directory.js';

/** Every item's label, one row per item: a lookup table the log keeps current. */
const labelIndex: ProjectionDefinition = {
  name: 'label-index',
  version: 1,
  kinds: 'all',
  // inline: updated in the same transaction as the save (read-your-writes); 'async' catches up after
  defaultMode: 'inline',
  table: 'example_label_index',
  async ensureTable(db, table) {
    await db.executeQuery(
      CompiledQuery.raw(
        `CREATE TABLE IF NOT EXISTS ${table} (type text NOT NULL, name text NOT NULL, label text, PRIMARY KEY (type, name))`,
      ),
    );
  },
  async apply(trx, events, table) {
    // events arrive in commit order with the item's state after each one (null once deleted)
    for (const event of events) {
      const label = event.document?.metadata.label;
      await trx.executeQuery(
        event.document
          ? CompiledQuery.raw(
              `INSERT INTO ${table} (type, name, label) VALUES ($1, $2, $3) ON CONFLICT (type, name) DO UPDATE SET label = excluded.label`,
              [event.type, event.name, typeof label === 'string' ? label : null],
            )
          : CompiledQuery.raw(`DELETE FROM ${table} WHERE type = $1 AND name = $2`, [event.type, event.name]),
      );
    }
  },
  async reset(trx, table) {
    await trx.executeQuery(CompiledQuery.raw(`DELETE FROM ${table}`));
  },
};

async function labels(db: MetadataStore['db']): Promise<string> {
  const { rows } = await db.executeQuery<{ name: string; label: string }>(
    CompiledQuery.raw(`SELECT name, label FROM ${labelIndex.table} ORDER BY name`),
  );
  return rows.map((row) => `${row.name}=${row.label}`).join(', ') || '(empty)';
}

await withTemporaryDirectory(async (dataDir) => {
  const store = await createMetadataStore({ dataDir, configFile: false, projections: { definitions: [labelIndex] } });
  try {
    // the change feed: delivered after commit, in commit order; here until the four changes below arrived
    const seen: WatchEvent[] = [];
    let allSeen!: () => void;
    const fourChanges = new Promise<void>((resolve) => (allSeen = resolve));
    const watch = await store.watch({ types: ['object'] }, (event) => {
      seen.push(event);
      if (seen.length === 4) allSeen();
    });

    await store.save('object', { name: 'account', metadata: { label: 'Account' } }, { actor: 'alice' });
    console.log(`label-index after create: ${await labels(store.db)}`);
    await store.save('object', { name: 'contact', metadata: { label: 'Contact' } }, { actor: 'alice' });
    await store.save('object', { name: 'account', metadata: { label: 'Customer' } }, { actor: 'bob' });
    console.log(`label-index after rename: ${await labels(store.db)}`);
    await store.delete('object', 'contact', { actor: 'bob' });
    console.log(`label-index after delete: ${await labels(store.db)}`);

    // a rebuild replays the whole log into a fresh table and swaps it in: same contents
    const rebuilt = await store.rebuild('label-index');
    console.log(`rebuilt from ${rebuilt.events} events: ${await labels(store.db)}`);

    await fourChanges;
    await watch.close();
    console.log(`watched: ${seen.map((event) => `${event.type} ${event.name}`).join(', ')}`);
  } finally {
    await store.close();
  }
});
