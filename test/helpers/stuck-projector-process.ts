// A worker that dies mid-catch-up: `node --import tsx test/helpers/stuck-projector-process.ts <url> <schema>`.
// Its projection's apply never returns; it prints "stuck" once it is inside apply, holding the job and
// the checkpoint lock, and waits to be killed.
import { createMetadataStore } from '../../src/index.js';
import { countingProjection } from './counting-projection.js';

const [url, schema] = process.argv.slice(2);
const stuck = countingProjection('takeover');
stuck.apply = async () => {
  process.stdout.write('stuck\n');
  await new Promise(() => {});
};
const store = await createMetadataStore({
  connectionString: url,
  schema,
  projections: { definitions: [stuck], jobs: { expireInSeconds: 2, maintenanceIntervalSeconds: 1 } },
});
await store.save('object', { name: 'takeover', metadata: {} });
