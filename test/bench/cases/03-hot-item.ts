import { ConflictError } from '../../../src/index.js';
import { benchRow, type BenchCase } from '../bench-case.js';
import { measureInterleaved } from '../measure.js';
import { benchType, itemMetadata } from '../workload.js';

const name = 'hot-item';

/** One item updated by `writers` writers at once through store.update: conflicts, retries, no lost update. */
const hotItem: BenchCase = {
  name,
  async run({ sizes, openStore }) {
    // the protocol's ceiling on retries, so that contention shows up as retries rather than failures
    const store = await openStore({ poolMax: sizes.writers, maxRetries: 100 });
    await store.save(benchType, { name: 'hot', metadata: { ...itemMetadata(0, 1), count: 0 } }, { expectedVersion: 0 });
    let saved = 0;
    let retries = 0;
    let gaveUp = 0;
    const increment = async () => {
      try {
        const result = await store.update(benchType, 'hot', (current) => ({
          ...current,
          metadata: { ...current.metadata, count: Number(current.metadata.count) + 1 },
        }));
        saved++;
        retries += result.retries;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        gaveUp++;
      }
    };
    const [update] = await measureInterleaved([{ name: 'metaledger update (hot item)', op: increment }], {
      ops: sizes.hotOps,
      concurrency: sizes.writers,
      warmup: sizes.warmup,
      rounds: 1,
      profileOps: sizes.profileOps,
    });
    const final = await store.load(benchType, 'hot', { cache: false });
    const round2 = (value: number) => Math.round(value * 100) / 100;
    return [
      benchRow({
        case: name,
        operation: `update one hot item, ${sizes.writers} writers`,
        result: update,
        extra: {
          retriesPerSave: round2(retries / Math.max(1, saved)),
          gaveUp,
          // every successful update incremented the counter once: anything else is a lost update
          lostUpdates: saved - Number(final.data?.metadata.count),
        },
      }),
    ];
  },
};

export default hotItem;
