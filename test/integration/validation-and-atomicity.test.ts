import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, type MetadataStore } from '../../src/index.js';
import { backend, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('validation');
  store = await database.open();
});
afterAll(() => database.dispose());

/** Row counts of every table a write touches: a refused or failed write must leave them all as they were. */
async function footprint() {
  const [row] = await database.query(
    `SELECT (SELECT count(*) FROM metadata_events)::int AS events, (SELECT count(*) FROM metadata_changesets)::int AS changesets,
            (SELECT count(*) FROM metadata_streams)::int AS streams, (SELECT count(*) FROM _framework_metadata)::int AS rows,
            (SELECT coalesce(max(version), 0) FROM metadata_streams)::int AS top_version`,
  );
  return row;
}

describe('bad input is a VALIDATION error listing each problem with its path, and writes nothing', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['unknown scope and state', { name: 'a', scope: 'galaxy', state: 'gone', metadata: {} }, ['scope', 'state']],
    ['missing name', { metadata: {} }, ['name']],
    ['metadata an array', { name: 'a', metadata: [1, 2] }, ['metadata']],
    ['metadata a string', { name: 'a', metadata: 'label' }, ['metadata']],
    ['metadata missing', { name: 'a' }, ['metadata']],
    ['invalid datetime', { name: 'a', metadata: {}, createdAt: 'yesterday' }, ['createdAt']],
    ['several problems at once', { name: '', scope: 'x', metadata: null }, ['name', 'scope', 'metadata']],
  ];
  for (const [label, record, paths] of cases) {
    it(label, async () => {
      const before = await footprint();
      const error = await store.save('object', record as never).catch((e) => e);
      expect(error).toMatchObject({ code: 'VALIDATION', status: 400 });
      expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual(expect.arrayContaining(paths));
      for (const path of paths) expect(error.message).toContain(path);
      expect(await footprint()).toEqual(before);
    });
  }

  it('rejects unknown save options values', async () => {
    const before = await footprint();
    await expect(store.save('object', { name: 'a', metadata: {} }, { onConflict: 'overwrite' as never })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(
      store.save('object', { name: 'a', metadata: {} }, { transaction: { isolationLevel: 'snapshot' as never } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await footprint()).toEqual(before);
  });

  it('rejects an identifier with SQL in it before connecting', async () => {
    await expect(createMetadataStore({ inMemory: true, schema: 'x; DROP TABLE metadata_events' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('must be a SQL identifier'),
    });
    await expect(
      createMetadataStore({ inMemory: true, driver: { tableSchema: { name: 'metadata; drop table x' } } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('rejects store settings that are not positive integers, naming each, before connecting', async () => {
    const error = await createMetadataStore({
      inMemory: true,
      snapshotEvery: 0,
      groupCommit: { statementsInFlight: 0, eventsPerStatement: 1.5 },
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'snapshotEvery',
      'groupCommit.statementsInFlight',
      'groupCommit.eventsPerStatement',
    ]);
  });
});

describe('a save that fails mid-way leaves log and projection unchanged', () => {
  it('an id taken by another item fails after the event insert, and nothing remains', async () => {
    await store.save('object', { id: 'shared-id', name: 'first', metadata: { n: 1 } });
    const before = await footprint();
    const error = await store.save('object', { id: 'shared-id', name: 'second', metadata: { n: 2 } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect(error.message).toContain('shared-id');
    expect(await footprint()).toEqual(before);
    expect(await store.exists('object', 'second')).toBe(false);
  });
});

describe.runIf(backend === 'postgres')('datasource failures', () => {
  it('an unreachable database is DATASOURCE_UNAVAILABLE and the message carries no password', async () => {
    const error = await createMetadataStore({ connectionString: 'postgres://admin:s3cret-pa55@127.0.0.1:1/none' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect(error.message).not.toContain('s3cret-pa55');
    const fromConfig = await createMetadataStore({
      datasource: { driver: 'postgres', config: { host: '127.0.0.1', port: 1, user: 'admin', password: 'hunter2-secret' } },
    }).catch((e) => e);
    expect(fromConfig).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect(String(fromConfig.message) + String(fromConfig.stack)).not.toContain('hunter2-secret');
  });

  it('a wrong password is DATASOURCE_UNAVAILABLE or refused without echoing it', async () => {
    const url = new URL(databaseUrl());
    url.password = 'not-the-password-xyz';
    url.pathname = '/database_that_does_not_exist';
    const error = await createMetadataStore({ connectionString: url.toString() }).catch((e) => e);
    expect(error).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect(error.message).not.toContain('not-the-password-xyz');
  });
});
