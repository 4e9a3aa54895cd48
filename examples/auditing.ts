// Auditing: an item's history (who, why, what), blame (who set each value) and the store-wide feed.
// Run: npx tsx examples/auditing.ts
import { createMetadataStore } from '../src/index.js';
import { withTemporaryDirectory } from './temporary-directory.js';

await withTemporaryDirectory(async (dataDir) => {
  const store = await createMetadataStore({ dataDir, configFile: false });
  try {
    await store.save(
      'object',
      { name: 'account', metadata: { label: 'Account', plural: 'Accounts' } },
      { actor: 'alice', reason: 'initial' },
    );
    await store.save(
      'object',
      { name: 'account', metadata: { label: 'Customer', plural: 'Accounts' } },
      { actor: 'bob', reason: 'rename' },
    );
    await store.update('object', 'account', (current) => ({ ...current, metadata: { ...current.metadata, plural: 'Customers' } }), {
      actor: 'carol',
      reason: 'plural follows the label',
    });

    // newest first: who, why, when and a one-line summary of the patch
    const { events } = await store.history('object', 'account');
    for (const event of events)
      console.log(`history v${event.version} ${event.kind} by ${event.actor} (${event.reason}): ${event.summary}`);

    // who set each value that is there now
    for (const line of await store.blame('object', 'account')) {
      if (line.pointer.startsWith('/metadata/'))
        console.log(`blame ${line.pointer} = ${JSON.stringify(line.value)} by ${line.actor} in v${line.version}`);
    }

    // the store-wide audit feed in commit order: who changed what
    const feed = await store.changes();
    const byActor = new Map<string, number>();
    for (const event of feed.events) byActor.set(event.actor ?? '(unknown)', (byActor.get(event.actor ?? '(unknown)') ?? 0) + 1);
    console.log(`changes by actor: ${[...byActor].map(([actor, count]) => `${actor} ${count}`).join(', ')}`);

    // the hash chain, versions and projection agree with the log
    console.log(`verify: ${(await store.verify()).ok ? 'ok' : 'problems found'}`);
  } finally {
    await store.close();
  }
});
