import { MetadataDriver } from '../../../src/index.js';
import { benchRow, type BenchCase } from '../bench-case.js';
import { measureOnce } from '../measure.js';
import { seedByBulk } from '../seed.js';
import { benchType, itemMetadata, itemName, plainTableDdl } from '../workload.js';

const name = 'rebuild';

/** Every item is written this many times: one create, then updates. */
const rounds = 10;

/**
 * The same number of rows written by the server alone. COPY … FROM STDIN needs pg-copy-streams, which
 * this project does not install; INSERT … SELECT from generate_series is the same server-side bulk
 * write without the client streaming the rows.
 */
const insertSelect = `
INSERT INTO plain_items (id, type, name, metadata)
SELECT gen_random_uuid(), $1, 'copy_' || g, $2::jsonb || jsonb_build_object('revision', g)
FROM generate_series(1, $3::int) AS g`;

/**
 * store.rebuild('framework-metadata') replaying a log of `rebuildEvents` events (items × 10 upserts,
 * seeded through bulk upserts, timed apart), against a server-side bulk insert of as many rows.
 */
const rebuild: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const seeders = 4;
    const store = await openStore({ poolMax: seeders });
    const driver = new MetadataDriver(store);
    const pool = openPool();
    await pool.query(plainTableDdl);
    const items = Math.ceil(sizes.rebuildEvents / rounds);
    const events = items * rounds;
    let seedSeconds = 0;
    for (let revision = 1; revision <= rounds; revision++) {
      seedSeconds += await seedByBulk(
        driver,
        (i) => ({ type: benchType, name: itemName('item', i), metadata: itemMetadata(i, revision) }),
        items,
      );
    }
    // a long-lived log has statistics: plan the replay's reads with them
    await pool.query('ANALYZE metadata_events, metadata_changesets, metadata_streams');
    const insert = await measureOnce('INSERT … SELECT generate_series (no pg-copy-streams for COPY)', events, () =>
      pool.query(insertSelect, [benchType, itemMetadata(0, 1), events]),
    );
    let replayed = 0;
    const replay = await measureOnce(
      'metaledger rebuild',
      events,
      async () => (replayed = (await store.rebuild('framework-metadata')).events),
    );
    if (replayed !== events) throw new Error(`the rebuild replayed ${replayed} events, not the ${events} appended`);
    return [
      benchRow({
        case: name,
        operation: `rebuild framework-metadata from ${events.toLocaleString('en-US')} events (events/s)`,
        result: replay,
        baseline: insert,
        target: { minOpsPerSec: 50_000 },
        extra: {
          items,
          seedSeconds: Math.round(seedSeconds),
          seedEventsPerSec: Math.round(events / seedSeconds),
          rebuildSeconds: replay.seconds,
        },
      }),
    ];
  },
};

export default rebuild;
