// A projection rebuild in a process of its own: `rebuild-runner.ts <url> <schema>`. Prints "progress <applied>"
// as the replay advances and "rebuilt <events>" at the end, unless it is killed first.
import { createMetadataStore } from '../../../src/index.js';

const [url, schema] = process.argv.slice(2);
const store = await createMetadataStore({ connectionString: url, schema });
console.log('ready');
const result = await store.rebuild('framework-metadata', {
  batchSize: 500,
  onProgress: ({ applied, phase }) => console.log(`progress ${phase} ${applied}`),
});
console.log(`rebuilt ${result.events}`);
await store.close();
