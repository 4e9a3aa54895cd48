import { benchRow, type BenchCase } from '../bench-case.js';
import { indicesUsed, measureInterleaved, type RunShape } from '../measure.js';
import { benchType, itemMetadata, itemName } from '../workload.js';

const name = 'emmett';

/** Loaded on demand, so a missing or broken install becomes a row that says why instead of a crash. */
async function openEmmett(schemaUrl: string) {
  const [{ getPostgreSQLEventStore }, { STREAM_DOES_NOT_EXIST }] = await Promise.all([
    import('@event-driven-io/emmett-postgresql'),
    import('@event-driven-io/emmett'),
  ]);
  const eventStore = getPostgreSQLEventStore(schemaUrl);
  await eventStore.schema.migrate();
  return { eventStore, STREAM_DOES_NOT_EXIST };
}

/** A general event store (Emmett on PostgreSQL) appending the same changes, one stream per item. */
const emmett: BenchCase = {
  name,
  async run({ sizes, schemaUrl, openStore, defer }) {
    let opened: Awaited<ReturnType<typeof openEmmett>>;
    try {
      opened = await openEmmett(schemaUrl);
    } catch (error) {
      const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      return [
        benchRow({
          case: name,
          operation: 'save vs Emmett appendToStream',
          error: `Emmett did not run on Node ${process.version}: ${message}`,
        }),
      ];
    }
    const { eventStore, STREAM_DOES_NOT_EXIST } = opened;
    defer(() => eventStore.close());
    const store = await openStore();
    const saved = (i: number, revision: number) => ({
      type: 'ObjectSaved',
      data: { type: benchType, name: itemName('item', i), metadata: itemMetadata(i, revision) },
    });
    const shape: RunShape = { ops: sizes.ops, concurrency: 1, warmup: sizes.warmup, rounds: sizes.rounds, profileOps: sizes.profileOps };
    const created = indicesUsed(shape);
    const [saveNew, appendNew] = await measureInterleaved(
      [
        {
          name: 'metaledger save (new)',
          op: (i) => store.save(benchType, { name: itemName('item', i), metadata: itemMetadata(i, 1) }, { expectedVersion: 0 }),
        },
        {
          name: 'Emmett append (new stream)',
          op: (i) => eventStore.appendToStream(`item-${i}`, [saved(i, 1)], { expectedStreamVersion: STREAM_DOES_NOT_EXIST }),
        },
      ],
      shape,
    );
    // neither side names a version: each reads its stream head and appends after it
    const [saveUpdate, appendUpdate] = await measureInterleaved(
      [
        {
          name: 'metaledger save (update)',
          op: (i) => store.save(benchType, { name: itemName('item', i % created), metadata: itemMetadata(i % created, i + 2) }),
        },
        {
          name: 'Emmett append (existing stream)',
          op: (i) => eventStore.appendToStream(`item-${i % created}`, [saved(i % created, i + 2)]),
        },
      ],
      shape,
    );
    return [
      benchRow({ case: name, operation: 'save new item vs Emmett', result: saveNew, baseline: appendNew, target: { minRatio: 1 } }),
      benchRow({ case: name, operation: 'save update vs Emmett', result: saveUpdate, baseline: appendUpdate, target: { minRatio: 1 } }),
    ];
  },
};

export default emmett;
