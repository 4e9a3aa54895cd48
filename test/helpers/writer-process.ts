// A separate OS process writing to a store: `node --import tsx test/helpers/writer-process.ts <url> <schema> <prefix> <count> [jobs]`
// Prints one JSON line when done: { saved, ms, firstSaveStartedAt, firstSavedAt }.
import { createMetadataStore } from '../../src/index.js';
import { collectionInfoProjection } from '../../projections/collection-info.js';

const [url, schema, prefix, countText, jobs] = process.argv.slice(2);
const store = await createMetadataStore({
  connectionString: url,
  schema,
  driver: { transaction: { maxRetries: 100 } },
  projections: { definitions: [collectionInfoProjection], jobs: jobs === 'jobs' ? {} : false },
});
const started = Date.now();
let firstSaveStartedAt = 0;
let firstSavedAt = 0;
const count = Number(countText);
for (let i = 0; i < count; i++) {
  firstSaveStartedAt ||= Date.now();
  await store.save('object', { name: `${prefix}${i % 10}`, namespace: prefix, metadata: { i } }, { actor: prefix });
  firstSavedAt ||= Date.now();
  await store.update('counter', 'shared', (current) => ({ ...current, metadata: { n: (current.metadata.n as number) + 1 } }), {
    actor: prefix,
  });
}
process.stdout.write(`${JSON.stringify({ saved: count, ms: Date.now() - started, firstSaveStartedAt, firstSavedAt })}\n`);
// give pg-boss a moment to run the catch-up this instance may have picked
if (jobs === 'jobs') await new Promise((resolve) => setTimeout(resolve, 1500));
await store.close();
