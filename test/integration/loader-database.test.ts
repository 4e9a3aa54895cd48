import { CompiledQuery } from 'kysely';
import { internalsOf } from '../../src/store/metadata-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore, LoaderWatchEvent } from '../../src/index.js';
import { DatabaseLoader } from '../../src/loaders/database/database-loader.js';
import { openDatabaseLoader } from '../../src/loaders/database/open-database-loader.js';
import { backend, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

let database: TestDatabase;
let store: MetadataStore;
let loader: DatabaseLoader;

beforeAll(async () => {
  database = await createTestDatabase('loader_db');
  store = await database.open();
  loader = new DatabaseLoader(store);
});
afterAll(() => database.dispose());

describe('database: loader', () => {
  it('describes itself with a MetadataLoaderContract matching the store', () => {
    expect(loader.contract).toMatchObject({
      name: 'database',
      protocol: 'database:',
      capabilities: { read: true, write: true, watch: true, list: true },
      datasourceConfig: { table: '_framework_metadata', schema: database.schema, cache: { enabled: true } },
    });
    expect(() => new DatabaseLoader(store, { datasourceConfig: { datasource: 'default', schema: 'elsewhere' } })).toThrow(/schema/);
    expect(() => new DatabaseLoader(store, { protocol: 'file:' })).toThrow(/database:/);
  });

  it('saves, loads with version etags and stats, and answers ifNoneMatch with notModified', async () => {
    const saved = await loader.save('object', { name: 'account', namespace: 'crm', metadata: { label: 'Account' } }, { actor: 'alice' });
    expect(saved).toMatchObject({ success: true, created: true, version: 1, etag: '"v1"' });
    const loaded = await loader.load('object', 'account');
    expect(loaded.data).toMatchObject({
      name: 'account',
      namespace: 'crm',
      metadata: { label: 'Account' },
      version: 1,
      createdBy: 'alice',
    });
    expect(loaded.etag).toBe('"v1"');
    expect(loaded.stats).toMatchObject({ etag: '"v1"', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(loaded.stats!.size).toBeGreaterThan(20);
    const again = await loader.load('object', 'account', { ifNoneMatch: '"v1"' });
    expect(again).toMatchObject({ data: null, notModified: true, etag: '"v1"' });
    expect((await loader.load('object', 'account', { namespace: 'other' })).data).toBeNull();
  });

  it('writes only at the expected etag; null means the item must not exist', async () => {
    await expect(loader.save('object', { name: 'account', metadata: { label: 'X' } }, { expectedEtag: '"v7"' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(loader.save('object', { name: 'account', metadata: { label: 'X' } }, { expectedEtag: null })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(loader.save('object', { name: 'account', metadata: { label: 'X' } }, { expectedEtag: '"abc"' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await loader.load('object', 'account')).data?.metadata).toEqual({ label: 'Account' });
    const updated = await loader.save('object', { name: 'account', metadata: { label: 'Customer' } }, { expectedEtag: '"v1"' });
    expect(updated).toMatchObject({ version: 2, etag: '"v2"', created: false });
    await expect(loader.delete('object', 'account', { expectedEtag: '"v1"' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await loader.delete('object', 'account', { expectedEtag: '"v2"' })).toMatchObject({ success: true });
    expect((await loader.load('object', 'account')).data).toBeNull();
  });

  it('lists with scope, namespace, filters, sort and limit', async () => {
    const rows = [
      { name: 'a', namespace: 'crm', scope: 'platform', metadata: { rank: 3, tags: ['x'] } },
      { name: 'b', namespace: 'crm', scope: 'user', owner: 'alice', metadata: { rank: 1 } },
      { name: 'c', namespace: 'hr', scope: 'platform', metadata: { rank: 2, tags: ['y'] } },
      { name: 'd', namespace: 'crm', scope: 'platform', state: 'draft', metadata: { rank: 4 } },
    ] as const;
    for (const row of rows) await loader.save('view', row);
    const names = async (options: Parameters<DatabaseLoader['list']>[1]) =>
      (await loader.list('view', options)).map((record) => record.name);
    expect(await names({})).toEqual(['a', 'b', 'c', 'd']);
    expect(await names({ namespace: 'crm' })).toEqual(['a', 'b', 'd']);
    expect(await names({ scope: 'user' })).toEqual(['b']);
    expect(await names({ filters: { namespace: ['crm', 'hr'], state: 'active' } })).toEqual(['a', 'b', 'c']);
    expect(await names({ filters: { owner: 'alice' } })).toEqual(['b']);
    expect(await names({ filters: { custom: { rank: { $gte: 2 } } } })).toEqual(['a', 'c', 'd']);
    expect(await names({ filters: { custom: { tags: { $contains: 'y' } } } })).toEqual(['c']);
    expect(await names({ sort: { field: 'metadata.rank', order: 'desc' } })).toEqual(['d', 'a', 'c', 'b']);
    expect(await names({ sort: [{ field: 'namespace' }, { field: 'name', order: 'desc' }], limit: 2 })).toEqual(['d', 'b']);
    expect(await names({ limit: 2 })).toEqual(['a', 'b']);
  });

  it('watches the change feed: added, changed and deleted, in commit order, from now on', async () => {
    await loader.save('flow', { name: 'before-watch', metadata: {} });
    const seen: LoaderWatchEvent[] = [];
    const handle = loader.watch((event) => void seen.push(event), { types: ['flow'], intervalMs: 20 });
    try {
      await handle.ready;
      await loader.save('flow', { name: 'onboarding', metadata: { steps: 1 } });
      await loader.save('flow', { name: 'onboarding', metadata: { steps: 2 } });
      await loader.delete('flow', 'onboarding');
      await store.save('flow', { name: 'onboarding', metadata: { steps: 3 } });
      await waitFor(() => seen.length >= 4, 'four watch events');
    } finally {
      await handle.close();
    }
    expect(seen.map((event) => `${event.type} ${event.metadataType}/${event.name}`)).toEqual([
      'added flow/onboarding',
      'changed flow/onboarding',
      'deleted flow/onboarding',
      'added flow/onboarding',
    ]);
    expect(seen[0].position).toMatch(/^\d+:\d+$/);
    // resuming after a position replays exactly what came after it
    const resumed: LoaderWatchEvent[] = [];
    const again = loader.watch((event) => void resumed.push(event), { types: ['flow'], after: seen[1].position, intervalMs: 20 });
    try {
      await waitFor(() => resumed.length >= 2, 'resumed events');
    } finally {
      await again.close();
    }
    expect(resumed.map((event) => event.type)).toEqual(['deleted', 'added']);
  });

  it('opens from a contract whose datasourceConfig names a configured datasource', async () => {
    const datasource =
      backend === 'pglite'
        ? { name: 'metadata_db', driver: 'pglite' as const }
        : { name: 'metadata_db', config: { connectionString: databaseUrl() } };
    const schema = backend === 'pglite' ? 'public' : database.schema;
    const opened = await openDatabaseLoader(
      {
        name: 'db',
        protocol: 'database:',
        capabilities: { write: true },
        datasourceConfig: { datasource: 'metadata_db', schema, cache: { enabled: false } },
      },
      [datasource],
    );
    try {
      expect(opened.contract.datasourceConfig).toMatchObject({ datasource: 'metadata_db', cache: { enabled: false } });
      await opened.save('object', { name: 'from-contract', metadata: { ok: true } });
      expect((await opened.load('object', 'from-contract')).data?.metadata).toEqual({ ok: true });
    } finally {
      await opened.close();
    }
    await expect(
      openDatabaseLoader({ name: 'db', protocol: 'database:', datasourceConfig: { datasource: 'missing' } }, [datasource]),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('openDatabaseLoader honours datasourceConfig.table and queryOptions', async () => {
    const datasource =
      backend === 'pglite'
        ? { name: 'metadata_db', driver: 'pglite' as const }
        : { name: 'metadata_db', config: { connectionString: databaseUrl() } };
    const schema = backend === 'pglite' ? 'public' : database.schema;
    const opened = await openDatabaseLoader(
      {
        name: 'custom',
        protocol: 'database:',
        capabilities: { write: true, list: true },
        datasourceConfig: {
          datasource: 'metadata_db',
          schema,
          table: 'loader_items',
          queryOptions: { batchSize: 3, useIndexes: false, parallelLoad: true },
        },
      },
      [datasource],
    );
    try {
      // the store projects into the table named, and the loader reads it back from there
      expect(internalsOf(opened.store).settings.table.name).toBe('loader_items');
      await opened.save('object', { name: 'in_custom_table', metadata: {} });
      const rows = await opened.store.db.executeQuery(
        CompiledQuery.raw(`SELECT name FROM "${schema}".loader_items WHERE name = 'in_custom_table'`),
      );
      expect(rows.rows).toEqual([{ name: 'in_custom_table' }]);
      expect((await opened.list('object')).map((record) => record.name)).toContain('in_custom_table');
      // queryOptions: the batch size of bulk writes and group commit, the planner's use of indexes, parallel loads
      expect(internalsOf(opened.store).settings.groupCommit.eventsPerStatement).toBe(3);
      const bulk = await opened.driver.bulkOperation({
        operation: 'upsert',
        records: Array.from({ length: 7 }, (_, i) => ({ type: 'object', name: `b${i}`, metadata: {} })),
      });
      expect(bulk.batches).toBe(3);
      expect((await opened.driver.explain({ filters: { type: 'object' } })).join('\n')).toContain('Seq Scan');
      expect(opened.driver.config.performance.parallelLoad).toBe(true);
    } finally {
      await opened.close();
    }
  });
});

describe('load and list options', () => {
  it('load returns an item only when it matches the filters', async () => {
    await loader.save('object', { name: 'filtered', namespace: 'sales', metadata: { tier: 2 } });
    expect((await loader.load('object', 'filtered', { filters: { namespace: 'sales' } })).data?.name).toBe('filtered');
    expect((await loader.load('object', 'filtered', { filters: { namespace: 'crm' } })).data).toBeNull();
    expect((await loader.load('object', 'filtered', { filters: { custom: { tier: { $gt: 2 } } } })).data).toBeNull();
    expect((await loader.load('object', 'filtered', { filters: { custom: { tier: 2 } } })).data?.name).toBe('filtered');
  });

  it('refuses file options and names of other loaders, saying why', async () => {
    for (const [path, options] of [
      ['patterns', { patterns: ['*.json'] }],
      ['recursive', { recursive: false }],
      ['loader', { loader: 'files' }],
      ['datasource', { datasource: 'elsewhere' }],
    ] as const) {
      await expect(loader.load('object', 'filtered', options as never), path).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [{ path }],
      });
      await expect(loader.list('object', options as never), path).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path }] });
    }
    expect((await loader.load('object', 'filtered', { loader: 'database' })).data?.name).toBe('filtered');
    for (const [path, options] of [
      ['format', { format: 'yaml' }],
      ['path', { path: 'object/filtered.json' }],
      ['validate', { validate: false }],
      ['loader', { loader: 'files' }],
    ] as const) {
      await expect(loader.save('object', { name: 'filtered', metadata: {} }, options), path).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [{ path }],
      });
    }
  });
});
