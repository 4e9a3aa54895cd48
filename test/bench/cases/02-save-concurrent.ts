import { benchRow, type BenchCase } from '../bench-case.js';
import { indicesUsed, measureInterleaved, type RunShape } from '../measure.js';
import { benchType, insertPlain, itemMetadata, itemName, plainTableDdl } from '../workload.js';

const name = 'save-concurrent';

/** `writers` concurrent writers on distinct items, each side with a pool of `writers` connections. */
const saveConcurrent: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const store = await openStore({ poolMax: sizes.writers });
    const pool = openPool(sizes.writers);
    await pool.query(plainTableDdl);
    const shape: RunShape = {
      ops: sizes.concurrentOps,
      concurrency: sizes.writers,
      warmup: sizes.warmup,
      rounds: sizes.rounds,
      profileOps: sizes.profileOps,
    };
    const created = indicesUsed(shape);
    const [saveNew, insertNew] = await measureInterleaved(
      [
        {
          name: 'metaledger save (new)',
          op: (i) => store.save(benchType, { name: itemName('conc', i), metadata: itemMetadata(i, 1) }, { expectedVersion: 0 }),
        },
        { name: 'raw INSERT', op: (i) => insertPlain(pool, itemName('raw_new', i), itemMetadata(i, 1)) },
      ],
      shape,
    );
    // consecutive indices go to different writers and `created` exceeds the writers, so no two writers share an item
    const [saveUpdate, insertMore] = await measureInterleaved(
      [
        {
          name: 'metaledger save (update)',
          op: (i) => store.save(benchType, { name: itemName('conc', i % created), metadata: itemMetadata(i % created, i + 2) }),
        },
        { name: 'raw INSERT', op: (i) => insertPlain(pool, itemName('raw_more', i), itemMetadata(i, 1)) },
      ],
      shape,
    );
    const operation = (what: string) => `${what}, ${sizes.writers} writers`;
    return [
      benchRow({ case: name, operation: operation('save new item'), result: saveNew, baseline: insertNew, target: { minRatio: 0.7 } }),
      benchRow({ case: name, operation: operation('save update'), result: saveUpdate, baseline: insertMore, target: { minRatio: 0.7 } }),
    ];
  },
};

export default saveConcurrent;
