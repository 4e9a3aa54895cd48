import { MetadataDriver, promote, type MetadataStore } from '../../src/index.js';
import { inFreshSchema } from './bench-context.js';
import { parseBenchOptions } from './options.js';
import { seedByBulk } from './seed.js';

// `npm run bench:releases [-- --items 10000 --versions 10]`: a source store of `items` items with
// `versions` versions each (items × versions events) on PostgreSQL, then the release operations on it:
// a store-wide diffStore between two tags, a first promotion into an empty target (every item
// created), an incremental promotion (a tenth of the items changed) and an idempotent re-promotion.

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const items = flag('items', 10_000);
const versions = flag('versions', 10);
const { databaseUrl, sizes } = parseBenchOptions([]);

const record = (revision: number) => (index: number) => ({
  type: 'object',
  name: `item_${String(index).padStart(6, '0')}`,
  metadata: { label: `Item ${index}`, revision, fields: { amount: { label: 'Amount', precision: (index + revision) % 7 } } },
});

/** Runs `work` once and gives its wall time in milliseconds. */
async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

const rows: { operation: string; ms: number; detail: string }[] = [];

async function bench(source: MetadataStore, target: MetadataStore): Promise<void> {
  const driver = new MetadataDriver(source);
  let seeded = 0;
  for (let revision = 1; revision <= versions; revision++) {
    seeded += await seedByBulk(driver, record(revision), items);
    if (revision === Math.ceil(versions / 2)) await source.tag('half');
  }
  await source.tag('head');
  console.log(`seeded ${items} items × ${versions} versions (${items * versions} events) in ${seeded.toFixed(1)} s`);

  const [diff, diffMs] = await timed(() => source.diffStore({ tag: 'half' }, { tag: 'head' }));
  rows.push({ operation: 'diffStore half → head', ms: diffMs, detail: `${diff.counts.modified} modified` });

  const [first, firstMs] = await timed(() => promote({ from: source, to: target, at: { tag: 'head' }, sourceName: 'bench' }));
  rows.push({ operation: 'promote into an empty target', ms: firstMs, detail: `${first.steps.length} created` });

  const changed = Math.ceil(items / 10);
  await seedByBulk(driver, record(versions + 1), changed);
  await source.tag('next');
  const [next, nextMs] = await timed(() => promote({ from: source, to: target, at: { tag: 'next' }, sourceName: 'bench' }));
  rows.push({ operation: 'promote the next release', ms: nextMs, detail: `${next.steps.length} updated` });

  const [again, againMs] = await timed(() => promote({ from: source, to: target, at: { tag: 'next' }, sourceName: 'bench' }));
  rows.push({ operation: 'promote the same release again', ms: againMs, detail: again.alreadyPromoted ? 'nothing written' : 'WROTE' });
}

await inFreshSchema(databaseUrl, 'releases_source', sizes, (sourceContext) =>
  inFreshSchema(databaseUrl, 'releases_target', sizes, async (targetContext) =>
    bench(await sourceContext.openStore({ poolMax: 4 }), await targetContext.openStore({ poolMax: 4 })),
  ),
);
console.table(rows.map((row) => ({ ...row, ms: Math.round(row.ms) })));
