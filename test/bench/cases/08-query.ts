import type pg from 'pg';
import { MetadataDriver, type StrictMetadataQueryOptionsInput, type MetadataRecordInput } from '../../../src/index.js';
import { benchRow, type BenchCase } from '../bench-case.js';
import { measureInterleaved } from '../measure.js';
import { seedByBulk } from '../seed.js';
import { itemMetadata, itemName } from '../workload.js';

const name = 'query';

const types = ['object', 'view', 'flow', 'page'];
const namespaces = ['crm', 'hr', 'finance', 'ops', 'default'];
const states = ['active', 'draft', 'deprecated'] as const;
const pageSize = 50;
/** Reads cycle through the first pages (those that exist), so both sides see the same mix of offsets. */
const pagesRead = 10;

/** Every combination of type, namespace and state is equally common: one filter matches 1/60 of the items. */
function seededRecord(i: number): MetadataRecordInput {
  return {
    type: types[i % types.length],
    name: itemName('item', i),
    namespace: namespaces[Math.floor(i / types.length) % namespaces.length],
    state: states[Math.floor(i / (types.length * namespaces.length)) % states.length],
    metadata: itemMetadata(i, 1),
  };
}

const filters = { type: 'object', namespace: 'crm', state: 'active' } as const;

/** The same page by hand: every record column, the total as a window count alongside, one round trip. */
const handWritten = `
SELECT id, name, type, namespace, scope, metadata, extends, strategy, owner, state,
       created_by, created_at, updated_by, updated_at, version, count(*) OVER () AS total
FROM _framework_metadata
WHERE type = $1 AND namespace = $2 AND state = $3
ORDER BY name
LIMIT ${pageSize} OFFSET $4`;

const selectByHand = (pool: pg.Pool, page: number) =>
  pool.query(handWritten, [filters.type, filters.namespace, filters.state, (page - 1) * pageSize]);

/** The plan's node names, outermost first (the table's name left out): enough to see which indexes a query used. */
function planNodes(lines: string[]): string {
  return lines
    .map((line) =>
      line
        .replace(/^\s*(->\s*)?/, '')
        .replace(/\s+\(cost=.*$/, '')
        .replace(/ on _framework_metadata( p)?$/, ''),
    )
    .filter((line) => /^[A-Z]/.test(line) && !/^(Sort Key|Filter|Recheck Cond|Index Cond|Heap Blocks|Group Key)/.test(line))
    .join(' > ');
}

/** A filtered (type + namespace + state), sorted (name) page of 50 out of `queryItems` items: driver.query against the same SELECT by hand. */
const query: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const seeders = 4;
    const driver = new MetadataDriver(await openStore({ poolMax: seeders }));
    const pool = openPool();
    const seedSeconds = await seedByBulk(driver, seededRecord, sizes.queryItems);
    // a long-lived database has statistics: plan the queries with them
    await pool.query('ANALYZE _framework_metadata');
    const options = (page: number): StrictMetadataQueryOptionsInput => ({
      filters,
      sort: [{ field: 'name', order: 'asc' }],
      pagination: { page, pageSize },
    });
    const [first, byHand] = await Promise.all([driver.query(options(1)), selectByHand(pool, 1)]);
    if (
      first.records.length !== pageSize ||
      first.total !== Number(byHand.rows[0].total) ||
      first.records[0].name !== byHand.rows[0].name
    ) {
      throw new Error(`the driver's page differs from the hand-written one: ${first.total} vs ${byHand.rows[0]?.total} matches`);
    }
    // full pages only: past the last row the driver counts in a second statement, the hand-written SELECT does not
    const page = (i: number) => 1 + (i % Math.min(pagesRead, Math.floor(first.total / pageSize)));
    const shape = { ops: sizes.queryOps, concurrency: 1, warmup: sizes.warmup, rounds: sizes.rounds, profileOps: sizes.profileOps };
    const [viaDriver, raw] = await measureInterleaved(
      [
        { name: 'metaledger driver.query', op: (i) => driver.query(options(page(i))) },
        { name: 'hand-written SELECT', op: (i) => selectByHand(pool, page(i)) },
      ],
      shape,
    );
    const { rows: explained } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${handWritten}`, [
      filters.type,
      filters.namespace,
      filters.state,
      0,
    ]);
    const driverPlan = planNodes(await driver.explain(options(1)));
    const handPlan = planNodes(explained.map((row) => row['QUERY PLAN']));
    return [
      benchRow({
        case: name,
        operation: `query page of ${pageSize} (type+namespace+state, by name) from ${sizes.queryItems.toLocaleString('en-US')}`,
        result: viaDriver,
        baseline: raw,
        extra: {
          matching: first.total,
          seedSeconds: Math.round(seedSeconds * 10) / 10,
          plan: driverPlan,
          handPlan: handPlan === driverPlan ? 'same' : handPlan,
        },
      }),
    ];
  },
};

export default query;
