import { benchRow, type BenchCase } from '../bench-case.js';
import { measureInterleaved } from '../measure.js';
import { benchType, insertPlain, itemMetadata, itemName, plainTableDdl } from '../workload.js';

const name = 'load';

/** Load by (type, name) from the database (cache off) against a hand-written SELECT, then from the cache. */
const load: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const seeders = 4;
    const store = await openStore({ poolMax: seeders });
    const pool = openPool(seeders);
    await pool.query(plainTableDdl);
    const items = sizes.loadItems;
    const seedShape = { ops: items, concurrency: seeders, warmup: 0, rounds: 1, profileOps: 0 };
    await measureInterleaved(
      [
        { name: 'seed store', op: (i) => store.save(benchType, { name: itemName('load', i), metadata: itemMetadata(i, 1) }) },
        { name: 'seed plain table', op: (i) => insertPlain(pool, itemName('load', i), itemMetadata(i, 1)) },
      ],
      seedShape,
    );
    // a long-lived database has statistics; without them the planner may pick the projection's (type) index
    // over its unique (type, name) one and scan every item of the type
    await pool.query('ANALYZE plain_items, _framework_metadata');
    const key = (i: number) => itemName('load', i % items);
    const shape = { ops: sizes.ops, concurrency: 1, warmup: sizes.warmup, rounds: sizes.rounds, profileOps: sizes.profileOps };
    const [uncached, select] = await measureInterleaved(
      [
        { name: 'metaledger load (cache off)', op: (i) => store.load(benchType, key(i), { cache: false }) },
        {
          name: 'raw SELECT',
          op: (i) => pool.query('SELECT id, type, name, metadata FROM plain_items WHERE type = $1 AND name = $2', [benchType, key(i)]),
        },
      ],
      shape,
    );
    // the warm-up reads every item once, so every timed load is a hit
    const [cached] = await measureInterleaved([{ name: 'metaledger load (cached)', op: (i) => store.load(benchType, key(i)) }], {
      ops: sizes.cachedOps,
      concurrency: 1,
      warmup: items,
      rounds: 1,
      profileOps: sizes.profileOps,
    });
    return [
      benchRow({ case: name, operation: 'load uncached, 1 reader', result: uncached, baseline: select, target: { minRatio: 0.9 } }),
      benchRow({ case: name, operation: 'load cached, 1 reader', result: cached, target: { minOpsPerSec: 1_000_000 } }),
    ];
  },
};

export default load;
