// Single saves in a process of its own: `save-stream.ts <url> <schema> <writers>`. `writers` concurrent loops
// save (create, then update) their own items, and print "ack <name> <version> <i>" for every save that
// returned, until the process is killed.
import { createMetadataStore } from '../../../src/index.js';

const [url, schema, writersText] = process.argv.slice(2);
const store = await createMetadataStore({ connectionString: url, schema });
console.log('ready');
await Promise.all(
  Array.from({ length: Number(writersText) }, async (_, writer) => {
    for (let i = 0; ; i++) {
      const name = `w${writer}_${i % 25}`;
      const { version } = await store.save('object', { name, metadata: { writer, i } }, { actor: `writer-${writer}` });
      console.log(`ack ${name} ${version} ${i}`);
    }
  }),
);
