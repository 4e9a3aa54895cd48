import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore } from '../../src/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { recordFigure } from './helpers/figures.js';
import { missingAcknowledged, partialChangesets, verifyOk } from './helpers/invariants.js';
import { startPrivatePostgres, type PrivatePostgres, type ShutdownMode } from './helpers/private-postgres.js';
import { firstAckAfter, rate, startWriters } from './helpers/writers.js';

const poolMax = 10;
const writers = 8;

describe('PostgreSQL restarted under 8 concurrent writers', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  });
  afterAll(() => postgres?.dispose());

  for (const mode of ['fast', 'immediate'] as ShutdownMode[]) {
    it(`pg_ctl restart -m ${mode}: nothing acknowledged is lost, errors are typed, the store serves again at once`, async () => {
      const schema = `restart_${mode}`;
      const store = await createMetadataStore({ connectionString: postgres.url(), schema, datasource: { pool: { max: poolMax } } });
      store.onBackgroundError = () => {};
      const run = startWriters(store, writers, 'w');
      try {
        await sleep(3_000);
        const restartAt = Date.now();
        const baseline = rate(run.log, restartAt - 2_000, restartAt);
        const { downMs } = await postgres.restart(mode);
        const readyAt = Date.now();
        await sleep(3_000);
        const log = await run.stop();
        const firstAck = firstAckAfter(log, readyAt);
        const recoveredMs = firstAck === undefined ? Infinity : firstAck - readyAt;
        const after = rate(log, readyAt + 1_000, readyAt + 3_000);
        await waitFor(async () => (await postgres.connections(`metaledger listener ${schema}`)) === 1, 'the listener to be back', 15_000);
        const connections = await postgres.connections(`metaledger`);
        const missing = await missingAcknowledged(postgres, schema, log.acknowledged);
        recordFigure(`restart -m ${mode} under ${writers} writers`, {
          downMs,
          recoveredMs,
          savesPerSecondBefore: Math.round(baseline),
          savesPerSecondFrom1sTo3sAfter: Math.round(after),
          acknowledged: log.acknowledged.length,
          errors: log.errors,
          connections,
          slowestSaveMs: log.slowestMs,
        });
        expect(missing).toEqual([]);
        expect(Object.keys(log.errors).filter((key) => key.startsWith('untyped'))).toEqual([]);
        // the requirement is "full throughput within a second of the database"; the bounds leave room for a
        // machine whose load changes from second to second (the defect they guard against was a 50× drop)
        expect(recoveredMs).toBeLessThan(3_000);
        expect(after).toBeGreaterThanOrEqual(baseline * 0.25);
        expect(connections).toBeLessThanOrEqual(poolMax + 1);
        // no save hangs: in-flight ones fail at once and are retried or reported
        expect(log.slowestMs).toBeLessThan(10_000);
        expect(await partialChangesets(postgres, schema)).toBe(0);
        expect((await verifyOk(postgres, schema)).ok).toBe(true);
      } finally {
        await run.stop();
        await store.close();
      }
    });
  }

  it('connections killed with pg_terminate_backend: writes go on, the listener comes back, nothing is lost', async () => {
    const schema = 'terminated';
    const store = await createMetadataStore({ connectionString: postgres.url(), schema, datasource: { pool: { max: poolMax } } });
    store.onBackgroundError = () => {};
    const run = startWriters(store, writers, 't');
    let killed = 0;
    try {
      await sleep(1_000);
      for (let round = 0; round < 5; round++) {
        const rows = await postgres.query<{ pid: number }>(
          `SELECT pg_terminate_backend(pid) AS done, pid FROM pg_stat_activity WHERE application_name LIKE $1`,
          [`metaledger % ${schema}`],
        );
        killed += rows.length;
        await sleep(500);
      }
      await sleep(1_000);
      const log = await run.stop();
      await waitFor(async () => (await postgres.connections(`metaledger listener ${schema}`)) === 1, 'the listener to be back', 15_000);
      const connections = await postgres.connections('metaledger');
      const missing = await missingAcknowledged(postgres, schema, log.acknowledged);
      recordFigure('pg_terminate_backend ×5 under 8 writers', {
        killed,
        acknowledged: log.acknowledged.length,
        errors: log.errors,
        connections,
        slowestSaveMs: log.slowestMs,
      });
      expect(killed).toBeGreaterThan(5);
      expect(missing).toEqual([]);
      expect(Object.keys(log.errors).filter((key) => key.startsWith('untyped'))).toEqual([]);
      expect(connections).toBeLessThanOrEqual(poolMax + 1);
      expect(await partialChangesets(postgres, schema)).toBe(0);
      expect((await verifyOk(postgres, schema)).ok).toBe(true);
      // serving right away
      await store.save('object', { name: 'after', metadata: {} });
    } finally {
      await run.stop();
      await store.close();
    }
  });
});
