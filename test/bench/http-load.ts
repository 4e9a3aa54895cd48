import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { createMetadataServer, listenMetadataServer } from '../../src/server/create-server.js';
import { createMetadataService } from '../../src/service/create-service.js';
import { inFreshSchema } from './bench-context.js';
import { parseBenchOptions } from './options.js';

// `npm run bench:http [-- --seconds 10 --connections 16 --items 1000]`: a bounded load run of concurrent
// clients against `metaledger serve`'s API on 127.0.0.1 (PostgreSQL at DATABASE_URL, a fresh schema),
// reads and writes, next to the same operations called on the library in the same run.

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface Row {
  operation: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  library: { opsPerSecond: number; p50Ms: number; p99Ms: number };
}

/** `connections` concurrent loops of `work` for `seconds`: ops/s and latency percentiles, as autocannon reports them. */
async function libraryRun(connections: number, seconds: number, work: (n: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let counter = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await work(counter++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 100) / 100;
  return { opsPerSecond: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 10);
  const connections = flag('connections', 16);
  const items = flag('items', 1000);
  const { databaseUrl } = parseBenchOptions([]);
  const rows = await inFreshSchema(databaseUrl, 'http', parseBenchOptions([]).sizes, async (context) => {
    const store = await context.openStore({ poolMax: 16 });
    for (let n = 0; n < items; n++) await store.save('object', { name: `item_${n}`, metadata: { label: `Item ${n}`, n } });
    const { key, hash } = generateApiKey();
    const service = createMetadataService({ store, source: 'http' });
    const reader = { id: 'bench', roles: ['admin'] };
    const server = await listenMetadataServer(
      createMetadataServer({ service, store, auth: { apiKeys: [{ hash, principal: 'bench', roles: ['admin'] }] }, console: false }),
    );
    context.defer(() => server.close());
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const run = async (
      operation: string,
      request: () => { method: string; path: string; body?: string },
      library: (n: number) => Promise<unknown>,
    ): Promise<Row> => {
      const result = await autocannon({
        url: server.url,
        connections,
        duration: seconds,
        headers,
        requests: [{ setupRequest: (base) => ({ ...base, ...request() }) }],
      });
      const row: Row = {
        operation,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        failed: result.errors + result.timeouts + result.non2xx,
        library: await libraryRun(connections, seconds, library),
      };
      console.log(
        `  ${operation}: ${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms (library: ${row.library.opsPerSecond} ops/s, p99 ${row.library.p99Ms} ms)`,
      );
      return row;
    };
    const pick = () => Math.floor(Math.random() * items);
    const tag = randomBytes(3).toString('hex');
    let written = 0;
    let libraryWritten = 0;
    return [
      await run(
        'read one item as stored (GET /records/:type/:name?raw=true; library: store.load)',
        () => ({ method: 'GET', path: `/api/v1/records/object/item_${pick()}?raw=true` }),
        () => store.load('object', `item_${pick()}`),
      ),
      await run(
        'read one item, overlays resolved (GET /records/:type/:name; library: service.get)',
        () => ({ method: 'GET', path: `/api/v1/records/object/item_${pick()}` }),
        () => service.get('object', `item_${pick()}`, { principal: reader }),
      ),
      await run(
        'create an item (PUT /records/:type/:name; library: store.save)',
        () => ({
          method: 'PUT',
          path: `/api/v1/records/object/http_${tag}_${written++}`,
          body: JSON.stringify({ metadata: { label: 'new', n: written } }),
        }),
        () => store.save('object', { name: `lib_${tag}_${libraryWritten++}`, metadata: { label: 'new', n: libraryWritten } }),
      ),
      await run(
        'read an item history (GET /items/:type/:name/history; library: store.history)',
        () => ({ method: 'GET', path: `/api/v1/items/object/item_${pick()}/history?limit=20` }),
        () => store.history('object', `item_${pick()}`, { limit: 20 }),
      ),
    ];
  });
  const report = {
    startedAt: new Date().toISOString(),
    seconds,
    connections,
    items,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    rows,
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/http.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log('\n| operation | HTTP req/s | p50 ms | p99 ms | failed | library ops/s | library p99 ms |\n|---|---|---|---|---|---|---|');
  for (const row of rows)
    console.log(
      `| ${row.operation} | ${row.requestsPerSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.failed} | ${row.library.opsPerSecond} | ${row.library.p99Ms} |`,
    );
  console.log(`load average at the end: ${report.loadAverage.join(', ')}; written to bench-results/http.json`);
}

await main();
