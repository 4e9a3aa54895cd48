// Time travel: an item at a version or log position, the whole store at a moment, and a restore to it.
// Run: npx tsx examples/time-travel.ts
import { createMetadataStore } from '../src/index.js';
import { withTemporaryDirectory } from './temporary-directory.js';

await withTemporaryDirectory(async (dataDir) => {
  const store = await createMetadataStore({ dataDir, configFile: false });
  try {
    await store.save('object', { name: 'account', metadata: { label: 'Account' } }, { actor: 'alice' });
    const good = await store.save('object', { name: 'contact', metadata: { label: 'Contact' } }, { actor: 'alice' });
    // the moment to come back to: a log position (a timestamp works the same way, as { asOf })
    const moment = { position: good.position ?? 0 };

    await store.save('object', { name: 'account', metadata: { label: 'Oops' } }, { actor: 'bob', reason: 'mistake' });
    await store.delete('object', 'contact', { actor: 'bob', reason: 'mistake' });
    await store.save('object', { name: 'lead', metadata: { label: 'Lead' } }, { actor: 'bob' });

    const first = await store.getAt('object', 'account', { version: 1 });
    console.log(`account at version 1: ${first.status}, label ${String(first.document?.metadata.label)}`);
    const contactThen = await store.getAt('object', 'contact', moment);
    console.log(`contact at the moment: ${contactThen.status}`);

    const then: string[] = [];
    for await (const item of store.snapshotAt(moment)) then.push(`${item.name}=${String(item.document?.metadata.label)}`);
    console.log(`store at the moment: ${then.sort().join(', ')}`);

    const plan = await store.restore({ ...moment, dryRun: true });
    console.log(
      `restore plan: ${plan.steps
        .map((step) => `${step.action} ${step.type}/${step.name}`)
        .sort()
        .join(', ')}`,
    );

    await store.restore({ ...moment, actor: 'alice', reason: 'undo the mistakes' });
    const now = await store.list('object');
    console.log(
      `after restore: ${now
        .map((record) => `${record.name}=${String(record.metadata.label)}`)
        .sort()
        .join(', ')}`,
    );
  } finally {
    await store.close();
  }
});
