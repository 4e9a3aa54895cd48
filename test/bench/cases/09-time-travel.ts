import { benchRow, type BenchCase } from '../bench-case.js';
import { measureInterleaved } from '../measure.js';
import { benchType, itemMetadata } from '../workload.js';

const name = 'time-travel';

/** How far from either end of the history the two reads are. */
const margin = 50;

/**
 * One item saved `versions` times (a full snapshot every 100 versions by default), then read back with
 * getAt near its start and near its end. A snapshot bounds the fold, so the two should cost about the
 * same: the late read may take at most twice as long (a ratio of ops/s ≥ 0.5×).
 */
const timeTravel: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const store = await openStore();
    const pool = openPool();
    const item = 'travelled';
    const started = performance.now();
    for (let version = 1; version <= sizes.versions; version++) {
      await store.save(benchType, { name: item, metadata: itemMetadata(0, version) }, { expectedVersion: version - 1 });
    }
    const seedSeconds = (performance.now() - started) / 1000;
    // plans depend on statistics; autovacuum may or may not have gathered them by now, so gather them
    await pool.query('ANALYZE metadata_events');
    const early = margin;
    const late = sizes.versions - margin;
    for (const version of [early, late]) {
      const at = await store.getAt(benchType, item, { version });
      if (at.status !== 'exists' || at.document.metadata.revision !== version)
        throw new Error(`getAt version ${version} gave ${at.status} at revision ${String(at.document?.metadata.revision)}`);
    }
    // a read folds at most 100 events: a few reads warm the caches
    const shape = {
      ops: sizes.travelOps,
      concurrency: 1,
      warmup: Math.min(sizes.warmup, 10),
      rounds: sizes.rounds,
      profileOps: Math.min(sizes.profileOps, 10),
    };
    const [lateRead, earlyRead] = await measureInterleaved(
      [
        { name: `getAt version ${late}`, op: () => store.getAt(benchType, item, { version: late }) },
        { name: `getAt version ${early}`, op: () => store.getAt(benchType, item, { version: early }) },
      ],
      shape,
    );
    const round2 = (value: number) => Math.round(value * 100) / 100;
    return [
      benchRow({
        case: name,
        operation: `getAt version ${late} vs ${early} of ${sizes.versions.toLocaleString('en-US')}`,
        result: lateRead,
        baseline: earlyRead,
        target: { minRatio: 0.5 },
        extra: {
          earlyP50Ms: earlyRead.p50Ms,
          p50TimeRatio: round2(lateRead.p50Ms / earlyRead.p50Ms),
          p99TimeRatio: round2(lateRead.p99Ms / earlyRead.p99Ms),
          seedSavesPerSec: Math.round(sizes.versions / seedSeconds),
        },
      }),
    ];
  },
};

export default timeTravel;
