// Opens an embedded store and closes it: `node --import tsx test/helpers/open-close-store.ts <dataDir> [load]`.
// Prints "closed" once close() resolved, then ends by itself (no process.exit): whatever still runs
// after close keeps the process alive, and the test sees it.
import { createMetadataStore } from '../../src/index.js';

const [dataDir, work] = process.argv.slice(2);
const store = await createMetadataStore({ dataDir });
if (work === 'load') await store.load('object', 'anything');
await store.close();
process.stdout.write('closed\n');
