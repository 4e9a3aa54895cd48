import { randomBytes } from 'node:crypto';
import { internalsOf } from '../../src/store/metadata-store.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromDatasourceConfig } from '../../src/driver/datasource-config.js';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import type { Isolation } from '../../src/index.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, LockHolder, sqlOf } from './driver-fixtures.js';

let fixtures: DriverFixtures;
let driver: MetadataDriver;
const onPostgres = process.env.METALEDGER_TEST_BACKEND !== 'pglite';

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_settings'));
  driver = await fixtures.shared();
});
afterAll(() => fixtures.dispose());

/** A trigger on the projection notes the isolation level of every transaction that writes a row. */
async function noteIsolation(target: MetadataDriver): Promise<void> {
  await sqlOf(target, 'CREATE TABLE IF NOT EXISTS isolation_seen (name text, level text)');
  await sqlOf(
    target,
    `CREATE OR REPLACE FUNCTION note_isolation() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO isolation_seen VALUES (NEW.name, current_setting('transaction_isolation')); RETURN NEW; END $$`,
  );
  await sqlOf(target, 'DROP TRIGGER IF EXISTS note_isolation ON _framework_metadata');
  await sqlOf(
    target,
    'CREATE TRIGGER note_isolation BEFORE INSERT OR UPDATE ON _framework_metadata FOR EACH ROW EXECUTE FUNCTION note_isolation()',
  );
}

describe('transaction settings', () => {
  it.each(['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable'] as Isolation[])(
    'defaultIsolation %s: bulk writes (in one transaction or batch by batch) and saves run at that level',
    async (level) => {
      const target = await fixtures.open({ driver: { transaction: { defaultIsolation: level } } });
      await noteIsolation(target);
      await target.bulkOperation({ operation: 'upsert', records: [{ type: 'iso', name: `bulk_${level}`, metadata: {} }] });
      await target.bulkOperation({
        operation: 'upsert',
        records: [{ type: 'iso', name: `batch_${level}`, metadata: {} }],
        transactional: false,
      });
      await target.store.save('iso', { name: `save_${level}`, metadata: {} });
      const seen = await sqlOf<{ name: string; level: string }>(
        target,
        'SELECT name, level FROM isolation_seen WHERE name LIKE $1 ORDER BY name',
        [`%_${level}`],
      );
      const expected = level.replace('_', ' ');
      expect(seen).toEqual([`batch_${level}`, `bulk_${level}`, `save_${level}`].map((name) => ({ name, level: expected })));
    },
  );

  it.skipIf(!onPostgres)('timeout cancels a statement that runs longer, and the error says so', async () => {
    const impatient = await fixtures.open({ driver: { transaction: { timeout: 300 } } });
    const error = await impatient.migrate({ type: 'alter', table: '_framework_metadata', script: 'SELECT pg_sleep(3)' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/cancelled after 300 ms \(transaction\.timeout\)/) });
    expect((await impatient.migrations(1))[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('transaction.timeout') });
    // the default (30 s) lets the same statement finish
    await expect(driver.migrate({ type: 'alter', table: '_framework_metadata', script: 'SELECT pg_sleep(0.5)' })).resolves.toMatchObject({
      outcome: 'succeeded',
    });
  });

  describe.skipIf(!onPostgres)('conflicts', () => {
    let round = 0;
    beforeAll(async () => {
      await driver.bulkOperation({
        operation: 'upsert',
        records: [
          { type: 'retry', name: 'a_blocker', metadata: {} },
          { type: 'retry', name: 'race', metadata: {} },
        ],
      });
    });

    /**
     * The subject reads both heads, then waits on a row lock held on `a_blocker` while another store
     * writes `race`; released, the subject's write of `race` finds its version moved: a conflict.
     */
    async function race(subject: MetadataDriver) {
      const n = ++round;
      const lock = await LockHolder.begin(
        fixtures.database.schema,
        `SELECT 1 FROM metadata_streams WHERE type = 'retry' AND name = 'a_blocker' FOR UPDATE`,
      );
      const attempt = subject
        .bulkOperation({
          operation: 'upsert',
          records: [
            { type: 'retry', name: 'a_blocker', metadata: { n } },
            { type: 'retry', name: 'race', metadata: { by: 'subject', n } },
          ],
        })
        .then(
          (value) => ({ value }),
          (error) => ({ error }),
        );
      try {
        await lock.untilWaiting(1);
        await driver.store.save('retry', { name: 'race', metadata: { by: 'other', n } });
      } finally {
        await lock.release();
      }
      const outcome = await attempt;
      const race = (await driver.load('retry', 'race', { cache: false })).data!.metadata;
      return { ...outcome, race, n };
    }

    it('retryOnConflict retries from fresh state, and the later write wins', async () => {
      const outcome = await race(await fixtures.shared({ driver: { transaction: { retryOnConflict: true, maxRetries: 3 } } }));
      expect(outcome).toMatchObject({ value: { success: true, retries: 1 }, race: { by: 'subject' } });
    });

    it('retryOnConflict: false gives up at once with a CONFLICT, writing nothing', async () => {
      const outcome = await race(await fixtures.shared({ driver: { transaction: { retryOnConflict: false } } }));
      expect(outcome).toMatchObject({ error: { code: 'CONFLICT' }, race: { by: 'other' } });
      expect((await driver.load('retry', 'a_blocker', { cache: false })).data?.metadata).not.toEqual({ n: outcome.n });
    });

    it('maxRetries bounds the retries', async () => {
      const outcome = await race(await fixtures.shared({ driver: { transaction: { retryOnConflict: true, maxRetries: 0 } } }));
      expect(outcome).toMatchObject({
        error: { code: 'CONFLICT', message: expect.stringContaining('no retry: transaction.maxRetries is 0') },
        race: { by: 'other' },
      });
    });
  });
});

describe('cache settings', () => {
  let uncached: MetadataDriver;
  beforeAll(async () => {
    uncached = await fixtures.open({ driver: { performance: { enableCache: false } } });
  });

  it('enableCache: false serves every load from the database', async () => {
    await uncached.store.save('c', { name: 'x', metadata: {} });
    await uncached.load('c', 'x');
    expect((await uncached.load('c', 'x')).fromCache).toBe(false);
    await driver.store.save('c', { name: 'x', metadata: {} });
    await driver.load('c', 'x');
    expect((await driver.load('c', 'x')).fromCache).toBe(true);
  });

  it('cacheTtlSeconds expires cached records', async () => {
    const brief = await fixtures.open({ driver: { performance: { cacheTtlSeconds: 1 } } });
    await brief.store.save('c', { name: 'ttl', metadata: {} });
    await driver.store.save('c', { name: 'ttl', metadata: {} });
    for (const target of [brief, driver]) {
      await target.load('c', 'ttl');
      expect((await target.load('c', 'ttl')).fromCache).toBe(true);
    }
    await sleep(1100);
    expect((await brief.load('c', 'ttl')).fromCache).toBe(false);
    expect((await driver.load('c', 'ttl')).fromCache).toBe(true);
  });

  it('prefetchOnInit warms the cache with every row when the driver starts', async () => {
    await driver.bulkOperation({
      operation: 'upsert',
      records: ['p1', 'p2', 'p3'].map((name) => ({ type: 'pre', name, metadata: { name } })),
    });
    driver.store.clearCache();
    await new MetadataDriver(driver.store).init();
    expect((await driver.load('pre', 'p1')).fromCache).toBe(false);
    driver.store.clearCache();
    const warmed = await new MetadataDriver(driver.store, { performance: { prefetchOnInit: true } }).init();
    for (const name of ['p2', 'p3'])
      expect(await warmed.load('pre', name)).toMatchObject({ fromCache: true, data: { metadata: { name } } });
    // as createMetadataDriver opens it
    const opened = await fixtures.shared({ driver: { performance: { prefetchOnInit: true } } });
    expect((await opened.load('pre', 'p3')).fromCache).toBe(true);
  });

  it('prefetchOnInit needs the cache', () => {
    expect(() => new MetadataDriver(uncached.store, { performance: { prefetchOnInit: true } })).toThrow(/prefetchOnInit/);
  });
});

describe('parallelLoad', () => {
  beforeAll(async () => {
    await driver.bulkOperation({
      operation: 'upsert',
      records: ['pl_a', 'pl_b', 'pl_c'].flatMap((type) => [1, 2].map((i) => ({ type, name: `${type}_${i}`, metadata: {} }))),
    });
  });

  it('loads several types, keyed by type', async () => {
    const parallel = new MetadataDriver(driver.store, { performance: { parallelLoad: true } });
    const loaded = await parallel.loadTypes(['pl_a', 'pl_b', 'pl_c'], { sort: { field: 'name', order: 'desc' } });
    expect(Object.fromEntries(Object.entries(loaded).map(([type, records]) => [type, records.map((r) => r.name)]))).toEqual({
      pl_a: ['pl_a_2', 'pl_a_1'],
      pl_b: ['pl_b_2', 'pl_b_1'],
      pl_c: ['pl_c_2', 'pl_c_1'],
    });
  });

  it.skipIf(!onPostgres)('with parallelLoad the types are read at the same time, without it one after another', async () => {
    for (const [parallelLoad, atOnce] of [
      [true, 3],
      [false, 1],
    ] as const) {
      const target = new MetadataDriver(driver.store, { performance: { parallelLoad } });
      const lock = await LockHolder.begin(fixtures.database.schema, 'LOCK TABLE _framework_metadata IN ACCESS EXCLUSIVE MODE');
      const loading = target.loadTypes(['pl_a', 'pl_b', 'pl_c']);
      try {
        await lock.untilWaiting(atOnce);
        await sleep(300);
        expect(await lock.waiting()).toBe(atOnce);
      } finally {
        await lock.release();
      }
      expect(Object.values(await loading).map((records) => records.length)).toEqual([2, 2, 2]);
    }
  });
});

describe('the loader-level MetadataDatasourceConfig', () => {
  it('maps table, schema, autoMigrate, cache and queryOptions onto the store and driver', async () => {
    const mapped = fromDatasourceConfig({
      datasource: 'metadata_db',
      table: 'loader_meta',
      schema: fixtures.database.schema,
      autoMigrate: true,
      cache: { enabled: false },
      queryOptions: { batchSize: 3, useIndexes: false, parallelLoad: true },
    });
    const target = await fixtures.open(mapped);
    expect(target.table.qualifiedName).toBe(`"${fixtures.database.schema}"."loader_meta"`);
    expect(target.config.performance).toMatchObject({ batchSize: 3, parallelLoad: true, enableCache: false });
    const bulk = await target.bulkOperation({
      operation: 'upsert',
      records: Array.from({ length: 7 }, (_, i) => ({ type: 'dsc', name: `d${i}`, metadata: {} })),
      transactional: false,
    });
    const [{ transactions }] = await sqlOf<{ transactions: number }>(
      target,
      'SELECT count(DISTINCT tx_id::text)::int AS transactions FROM metadata_events WHERE changeset_id = $1',
      [bulk.changesetId],
    );
    expect(transactions).toBe(3);
    expect(await sqlOf(target, `SELECT count(*)::int AS n FROM loader_meta WHERE type = 'dsc'`)).toEqual([{ n: 7 }]);
    await target.load('dsc', 'd1');
    expect((await target.load('dsc', 'd1')).fromCache).toBe(false);
    expect((await target.explain({ filters: { type: 'dsc' } })).join('\n')).toContain('Seq Scan');
  });

  it('cache.invalidateOnWrite reaches the store; by default a bulk write evicts what it wrote', async () => {
    const mapped = fromDatasourceConfig({
      datasource: 'metadata_db',
      schema: fixtures.database.schema,
      cache: { invalidateOnWrite: false, ttlSeconds: 60 },
    });
    expect(mapped.cache).toEqual({ enabled: true, ttlSeconds: 60, invalidateOnWrite: false });
    const stale = await fixtures.open(mapped);
    expect(internalsOf(stale.store).settings.cache).toEqual({ enabled: true, ttlSeconds: 60, invalidateOnWrite: false });
    await driver.store.save('inv', { name: 'x', metadata: { v: 1 } });
    await driver.load('inv', 'x');
    await driver.bulkOperation({ operation: 'upsert', records: [{ type: 'inv', name: 'x', metadata: { v: 2 } }] });
    expect(await driver.load('inv', 'x')).toMatchObject({ fromCache: false, data: { metadata: { v: 2 } } });
  });

  it('autoMigrate: false creates nothing', async () => {
    const schema = `t_unmigrated_${randomBytes(4).toString('hex')}`;
    const target = await fixtures.open(fromDatasourceConfig({ datasource: 'metadata_db', schema, autoMigrate: false }));
    try {
      expect(await sqlOf(target, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema])).toEqual([]);
    } finally {
      if (onPostgres) await sqlOf(target, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

describe('a driver over an open store', () => {
  it('refuses settings that contradict the store rather than ignoring them', () => {
    for (const config of [
      { transaction: { timeout: 5 } },
      { transaction: { defaultIsolation: 'serializable' as const } },
      { performance: { enableCache: false } },
      { transaction: { maxRetries: 9 } },
    ]) {
      expect(() => new MetadataDriver(driver.store, config), JSON.stringify(config)).toThrow(
        expect.objectContaining({ code: 'VALIDATION' }),
      );
    }
    expect(() => new MetadataDriver(driver.store, { transaction: { timeout: 30000, retryOnConflict: true } })).not.toThrow();
  });
});
