// A store in a process of its own: `close-on-signal.ts <url> <schema> [pool max]`. Saves one item and prints
// "ready"; on SIGUSR2 it closes the store, prints "closed <ms>" and must then exit by itself (nothing left
// running), whatever state the database is in.
import { createMetadataStore } from '../../../src/index.js';

const [url, schema, poolMax] = process.argv.slice(2);
const store = await createMetadataStore({ connectionString: url, schema, datasource: { pool: { max: Number(poolMax ?? 4) } } });
store.onBackgroundError = () => {};
await store.save('object', { name: `pid-${process.pid}`, metadata: {} });
// waits for the signal whatever the store keeps open meanwhile
const keepAlive = setInterval(() => {}, 60_000);
process.once('SIGUSR2', () => {
  clearInterval(keepAlive);
  const started = Date.now();
  void store.close().then(
    () => console.log(`closed ${Date.now() - started}`),
    (error: unknown) => console.log(`close failed ${String(error)}`),
  );
});
console.log('ready');
