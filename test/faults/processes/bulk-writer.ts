// Transactional bulk writes in a process of its own: `bulk-writer.ts <url> <schema> <records per bulk>`.
// Writes bulk after bulk (each one changeset of `records` new items, all or nothing) and prints
// "committed <bulk number>" after each one commits, until it is killed.
import { createMetadataDriver } from '../../../src/driver/create-driver.js';

const [url, schema, recordsText] = process.argv.slice(2);
const driver = await createMetadataDriver({ connectionString: url, schema });
const records = Number(recordsText);
console.log('ready');
for (let bulk = 0; ; bulk++) {
  await driver.bulkOperation(
    {
      operation: 'upsert',
      transactional: true,
      batch: { size: 500 },
      records: Array.from({ length: records }, (_, i) => ({ type: 'object', name: `bulk${bulk}_${i}`, metadata: { bulk, i } })),
    },
    { actor: 'bulk-writer' },
  );
  console.log(`committed ${bulk}`);
}
