import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import { createMetadataStore, MetadataDriver, type MetadataStore } from '../../src/index.js';
import { readStreamHead } from '../../src/events/read-stream-head.js';
import { planSave } from '../../src/write/plan-write.js';
import { backend, createTestDatabase, databaseUrl, uniqueSchema, type TestDatabase } from '../helpers/test-store.js';

// Every option does what it says, or is refused with a VALIDATION saying why it does not apply.
let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('options');
  store = await database.open();
});
afterAll(() => database.dispose());

const eventCount = async () => (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM metadata_events'))[0].n;

/** The database this test runs on, as a datasource input. */
const connection = () =>
  backend === 'pglite'
    ? { driver: 'pglite' as const, config: {} }
    : { driver: 'postgres' as const, config: { connectionString: databaseUrl() } };

describe('save options on the database store', () => {
  it.each([
    ['format', { format: 'yaml' }],
    ['path', { path: 'forms/lead.json' }],
    ['prettify', { prettify: true }],
    ['indent', { indent: 2 }],
    ['sortKeys', { sortKeys: true }],
    ['backup', { backup: true }],
    ['atomic', { atomic: false }],
    ['validate', { validate: false }],
    ['loader', { loader: 'files' }],
    ['datasource', { datasource: 'metadata_db' }],
  ] as const)('%s is refused, naming it and why, and nothing is written', async (path, options) => {
    const before = await eventCount();
    const error = await store.save('form', { name: `refused_${path}`, metadata: {} }, options).catch((e) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path, message: expect.any(String) }] });
    expect(error.issues[0].message.length).toBeGreaterThan(20);
    expect(await eventCount()).toBe(before);
    expect(await store.exists('form', `refused_${path}`)).toBe(false);
  });

  it('atomic: true and validate: true are what the store does anyway, so they are accepted', async () => {
    expect(await store.save('form', { name: 'atomic', metadata: {} }, { atomic: true, validate: true })).toMatchObject({ version: 1 });
  });
});

describe('load options on the database store', () => {
  it.each([
    ['filters', { filters: { namespace: 'crm' } }],
    ['sort', { sort: { field: 'name' } }],
    ['limit', { limit: 1 }],
    ['patterns', { patterns: ['*.json'] as string[] }],
    ['recursive', { recursive: true }],
    ['loader', { loader: 'db' }],
  ] as const)('%s is refused: store.load reads one item by type and name', async (path, options) => {
    await store.save('form', { name: 'loaded', metadata: {} });
    await expect(store.load('form', 'loaded', options)).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
  });
});

describe('load options on the driver', () => {
  const fileAndLoaderOptions = [
    ['patterns', { patterns: ['*.json'] as string[] }],
    ['recursive', { recursive: true }],
    ['loader', { loader: 'files' }],
    ['datasource', { datasource: 'metadata_db' }],
  ] as const;

  it.each([...fileAndLoaderOptions, ['ifNoneMatch', { ifNoneMatch: '"1"' }]] as const)(
    '%s is refused by list and loadTypes: they read the projection by filters',
    async (path, options) => {
      await store.save('form', { name: 'listed', metadata: {} });
      const driver = new MetadataDriver(store);
      await expect(driver.list('form', options)).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
      await expect(driver.loadTypes(['form'], options)).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
      expect((await driver.list('form')).map((record) => record.name)).toContain('listed');
    },
  );

  it.each([...fileAndLoaderOptions, ['sort', { sort: { field: 'name' } }], ['limit', { limit: 1 }]] as const)(
    '%s is refused by load with filters: it reads one item',
    async (path, options) => {
      await store.save('form', { name: 'filtered', namespace: 'crm', metadata: {} });
      const driver = new MetadataDriver(store);
      const filters = { namespace: 'crm' };
      await expect(driver.load('form', 'filtered', { filters, ...options })).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [{ path }],
      });
      expect((await driver.load('form', 'filtered', { filters })).data).toMatchObject({ name: 'filtered' });
    },
  );
});

describe('datasource options', () => {
  it('active: false is not opened', async () => {
    await expect(
      createMetadataStore({ datasource: { name: 'off', active: false, ...connection() }, schema: database.schema }),
    ).rejects.toMatchObject({ code: 'DATASOURCE_UNAVAILABLE', message: expect.stringMatching(/'off' is not active/) });
  });

  it('ssl and sslMode are refused for pglite: there is no connection to encrypt', async () => {
    for (const config of [{ ssl: true }, { sslMode: 'require' as const }]) {
      await expect(createMetadataStore({ datasource: { driver: 'pglite', config } })).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/no connection to encrypt/),
      });
    }
  });

  it.runIf(backend === 'postgres')("sslMode is read: 'require' asks the server for TLS, 'disable' does not", async () => {
    // the shared test server has ssl = off: a store that asks for TLS cannot connect, one that does not can
    const schema = uniqueSchema('ssl');
    const config = { connectionString: databaseUrl() };
    const required = await createMetadataStore({ datasource: { config: { ...config, sslMode: 'require' } }, schema }).catch((e) => e);
    expect(String(required.message)).toMatch(/SSL/i);
    const plain = await createMetadataStore({ datasource: { config: { ...config, sslMode: 'disable' } }, schema });
    try {
      await plain.save('form', { name: 'plain', metadata: {} });
      const [{ ssl }] = await internalsOf(plain).datasource.prepared<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        [],
      );
      expect(ssl).toBe(false);
    } finally {
      await plain.close();
      await database.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
    await expect(createMetadataStore({ datasource: { config: { ...config, sslMode: 'prefer' } }, schema })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'config.sslMode', message: expect.stringMatching(/cannot/) }],
    });
  });
});

describe('conflicts', () => {
  /** Plans a save of `item` on the head it reads, lets `other` write the item, then appends: a lost race, every attempt. */
  async function loseRaces(subject: MetadataStore, other: MetadataStore, item: string) {
    await other.save('race', { name: item, metadata: { n: 0 } });
    let attempts = 0;
    const error = await internalsOf(subject)
      .commitChangeset({ source: 'api', target: {} }, async (db) => {
        attempts++;
        const head = await readStreamHead(db, 'race', item);
        await other.save('race', { name: item, metadata: { n: attempts } });
        const intent = {
          document: { type: 'race', name: item, metadata: { by: 'subject' } },
          providedKeys: new Set<string>(),
          onConflict: 'update' as const,
          create: true,
          overwrite: true,
        };
        const plan = planSave('race', item, head, intent as never, internalsOf(subject).snapshotPolicy);
        return { result: plan, events: plan.action === 'write' ? [plan.event] : [] };
      })
      .catch((e) => e);
    return { error, attempts };
  }

  it('without retries a conflict says so, instead of claiming retries that never ran', async () => {
    const subject = await database.open({ driver: { transaction: { retryOnConflict: false } } });
    const { error, attempts } = await loseRaces(subject, store, 'no_retry');
    expect(attempts).toBe(1);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/no retry: transaction\.retryOnConflict is off/) });
    expect(error.message).not.toMatch(/gave up after/);
  });

  it('with retries it gives up after the retries it ran', async () => {
    const subject = await database.open({ driver: { transaction: { retryOnConflict: true, maxRetries: 2 } } });
    const { error, attempts } = await loseRaces(subject, store, 'retried');
    expect(attempts).toBe(3);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/gave up after 2 retries/) });
  });
});

describe('cache', () => {
  it('records prefetched into the cache are frozen, as every cached record', async () => {
    await store.save('form', { name: 'prefetched', metadata: { nested: { a: 1 } } });
    store.clearCache();
    const driver = new MetadataDriver(store);
    expect(await driver.prefetch()).toBeGreaterThan(0);
    const { data, fromCache } = await store.load('form', 'prefetched');
    expect(fromCache).toBe(true);
    expect(Object.isFrozen(data)).toBe(true);
    expect(Object.isFrozen(data!.metadata.nested)).toBe(true);
    expect(() => {
      (data!.metadata.nested as Record<string, unknown>).a = 2;
    }).toThrow(TypeError);
  });
});

describe('a store that was never migrated', () => {
  it('load, save, driver reads and history say the store is not migrated and how to migrate it, instead of a bare missing relation', async () => {
    const schema = uniqueSchema('unmigrated');
    const unmigrated = await createMetadataStore({
      ...(backend === 'pglite' ? { inMemory: true } : { connectionString: databaseUrl() }),
      schema,
      driver: { migration: { autoMigrate: false } },
    });
    try {
      const error = await unmigrated.load('form', 'anything').catch((e) => e);
      expect(error).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(/is not migrated .*autoMigrate/) });
      await expect(unmigrated.save('form', { name: 'x', metadata: {} })).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
      // every read beside the store's own says so too: the mapping is the datasource's, for every statement
      const driver = new MetadataDriver(unmigrated);
      const notMigrated = { code: 'MIGRATION_FAILED', message: expect.stringMatching(/is not migrated/) };
      await expect(driver.query({ filters: { type: 'form' } })).rejects.toMatchObject(notMigrated);
      await expect(driver.list('form')).rejects.toMatchObject(notMigrated);
      await expect(driver.migrations()).rejects.toMatchObject(notMigrated);
      await expect(unmigrated.history('form', 'x')).rejects.toMatchObject(notMigrated);
      await expect(unmigrated.verify()).rejects.toMatchObject(notMigrated);
    } finally {
      await unmigrated.close();
      if (backend === 'postgres') await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
