// Embedding metaledger: open a store on the embedded PGlite (no server), save, load, list.
// Run: npx tsx examples/embedding.ts
import { createMetadataStore } from '../src/index.js';
import { withTemporaryDirectory } from './temporary-directory.js';

await withTemporaryDirectory(async (dataDir) => {
  // a directory of its own: the embedded database lives there (the default is ./.metaledger/)
  const store = await createMetadataStore({ dataDir, configFile: false });
  try {
    const created = await store.save(
      'object',
      { name: 'account', namespace: 'crm', metadata: { label: 'Account' } },
      { actor: 'alice', reason: 'initial', expectedVersion: 0 },
    );
    console.log(`saved object/account: version ${created.version}, created ${created.created}, etag ${created.etag}`);

    await store.save('object', { name: 'contact', namespace: 'crm', metadata: { label: 'Contact' } }, { actor: 'alice' });
    await store.save('view', { name: 'all_accounts', namespace: 'crm', metadata: { object: 'account' } }, { actor: 'bob' });

    const { data } = await store.load('object', 'account');
    console.log(`loaded object/account: label ${String(data?.metadata.label)}, version ${data?.version}`);

    const objects = await store.list('object', { namespace: 'crm' });
    console.log(`objects in crm: ${objects.map((record) => record.name).join(', ')}`);

    // optimistic concurrency: a save that expects an older version is refused with CONFLICT
    const stale = await store
      .save('object', { name: 'account', metadata: { label: 'Stale' } }, { expectedVersion: 0 })
      .catch((error: { code?: string }) => error.code);
    console.log(`save expecting version 0 again: ${String(stale)}`);
  } finally {
    await store.close();
  }
});
