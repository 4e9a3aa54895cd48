import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataDriver } from '../../src/driver/create-driver.js';
import { createMetadataStore } from '../../src/index.js';
import { runScript } from './helpers/child-process.js';
import { recordFigure } from './helpers/figures.js';
import { missingAcknowledged, partialChangesets, verifyOk, type Acknowledged } from './helpers/invariants.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';

/** kill -9 of a writer process: whatever it had been told was written is there, nothing half-written is. */
describe('a writer process killed with SIGKILL', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  });
  afterAll(() => postgres?.dispose());

  it('in the middle of a transactional bulk: each bulk is all there or not at all', async () => {
    const records = 2_000;
    const trials = 4;
    const outcomes: { committed: number; killedBulk: number; killedBulkItems: number }[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const schema = `bulk_${trial}`;
      const child = runScript('bulk-writer.ts', [postgres.url(), schema, String(records)]);
      await child.waitForLine((line) => line === 'ready', 'the writer to be ready');
      // time one bulk, then kill the next one somewhere in its middle
      const first = Date.now();
      await child.waitForLine((line) => line === 'committed 0', 'the first bulk');
      const startedSecond = Date.now();
      const bulkMs = startedSecond - first;
      await sleep(bulkMs * (0.2 + (0.6 * trial) / (trials - 1)));
      child.kill();
      await child.exited();
      const committed = child.lines.filter((line) => line.startsWith('committed ')).length;
      const counts = await postgres.query<{ bulk: number; n: number }>(
        `SELECT (metadata->>'bulk')::int AS bulk, count(*)::int AS n FROM ${schema}._framework_metadata GROUP BY 1 ORDER BY 1`,
      );
      for (const { bulk, n } of counts) expect(n, `bulk ${bulk} of trial ${trial}`).toBe(records);
      // every bulk it reported committed is there
      expect(counts.length).toBeGreaterThanOrEqual(committed);
      expect(await partialChangesets(postgres, schema)).toBe(0);
      expect((await verifyOk(postgres, schema)).ok).toBe(true);
      outcomes.push({ committed, killedBulk: committed, killedBulkItems: counts.find((row) => row.bulk === committed)?.n ?? 0 });
    }
    recordFigure('kill -9 in a transactional bulk of 2,000 records', { trials, outcomes });
  });

  it('in a stream of single saves by 8 writers: every acknowledged save is there', async () => {
    const schema = 'singles';
    const child = runScript('save-stream.ts', [postgres.url(), schema, '8']);
    await child.waitForLine((line) => line === 'ready', 'the writers to be ready');
    await child.waitForLine((line) => line.startsWith('ack '), 'a first save');
    await sleep(2_000);
    child.kill();
    await child.exited();
    const acknowledged: Acknowledged[] = child.lines
      .filter((line) => line.startsWith('ack '))
      .map((line) => {
        const [, name, version] = line.split(' ');
        return { name, version: Number(version) };
      });
    const missing = await missingAcknowledged(postgres, schema, acknowledged);
    const [{ n: events }] = await postgres.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.metadata_events`);
    recordFigure('kill -9 in a stream of single saves (8 writers)', { acknowledged: acknowledged.length, events, missing: missing.length });
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    // at most the saves in flight when it died went through unacknowledged
    expect(events - acknowledged.length).toBeLessThanOrEqual(8);
    expect(await partialChangesets(postgres, schema)).toBe(0);
    expect((await verifyOk(postgres, schema)).ok).toBe(true);
  });

  it('in the middle of a projection rebuild: the projection stays whole, and a rebuild afterwards succeeds', async () => {
    const schema = 'rebuilt';
    const driver = await createMetadataDriver({ connectionString: postgres.url(), schema });
    try {
      for (let bulk = 0; bulk < 4; bulk++) {
        await driver.bulkOperation({
          operation: 'upsert',
          records: Array.from({ length: 1_500 }, (_, i) => ({ type: 'object', name: `item_${i}`, metadata: { bulk, i } })),
        });
      }
    } finally {
      await driver.close();
    }
    const projected = async () =>
      (await postgres.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}._framework_metadata`))[0].n;
    expect(await projected()).toBe(1_500);
    const child = runScript('rebuild-runner.ts', [postgres.url(), schema]);
    await child.waitForLine((line) => line.startsWith('progress replay'), 'the replay to start');
    child.kill();
    await child.exited();
    const killedAt = child.lines.filter((line) => line.startsWith('progress')).at(-1);
    const finished = child.lines.some((line) => line.startsWith('rebuilt'));
    expect(finished).toBe(false);
    expect(await projected()).toBe(1_500);
    expect(await partialChangesets(postgres, schema)).toBe(0);
    expect((await verifyOk(postgres, schema)).ok).toBe(true);
    const store = await createMetadataStore({ connectionString: postgres.url(), schema });
    try {
      const result = await store.rebuild('framework-metadata');
      expect(result.events).toBe(6_000);
      expect((await store.load('object', 'item_7', { cache: false })).data?.metadata).toEqual({ bulk: 3, i: 7 });
    } finally {
      await store.close();
    }
    expect((await verifyOk(postgres, schema)).ok).toBe(true);
    recordFigure('kill -9 in a rebuild of 6,000 events', { killedAt });
  });
});
