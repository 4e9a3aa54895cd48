import { benchRow, type BenchCase } from '../bench-case.js';
import { indicesUsed, measureInterleaved, type RunShape } from '../measure.js';
import { benchType, insertPlain, itemMetadata, itemName, plainTableDdl } from '../workload.js';

/** One writer, one save at a time: new items (expectedVersion 0), then updates of those items. */
const name = 'save-sequential';

const saveSequential: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const store = await openStore();
    const pool = openPool();
    await pool.query(plainTableDdl);
    const shape: RunShape = { ops: sizes.ops, concurrency: 1, warmup: sizes.warmup, rounds: sizes.rounds, profileOps: sizes.profileOps };
    const created = indicesUsed(shape);

    const [saveNew, insertNew] = await measureInterleaved(
      [
        {
          name: 'metaledger save (new)',
          op: (i) => store.save(benchType, { name: itemName('seq', i), metadata: itemMetadata(i, 1) }, { expectedVersion: 0 }),
        },
        { name: 'raw INSERT', op: (i) => insertPlain(pool, itemName('raw_new', i), itemMetadata(i, 1)) },
      ],
      shape,
    );
    // each update changes the record (a new revision), so every save appends an event
    const [saveUpdate, insertMore] = await measureInterleaved(
      [
        {
          name: 'metaledger save (update)',
          op: (i) => store.save(benchType, { name: itemName('seq', i % created), metadata: itemMetadata(i % created, i + 2) }),
        },
        { name: 'raw INSERT', op: (i) => insertPlain(pool, itemName('raw_more', i), itemMetadata(i, 1)) },
      ],
      shape,
    );
    return [
      benchRow({ case: name, operation: 'save new item, 1 writer', result: saveNew, baseline: insertNew, target: { minRatio: 0.8 } }),
      benchRow({ case: name, operation: 'save update, 1 writer', result: saveUpdate, baseline: insertMore, target: { minRatio: 0.8 } }),
    ];
  },
};

export default saveSequential;
