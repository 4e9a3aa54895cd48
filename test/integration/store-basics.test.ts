import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import type { MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('basics');
  store = await database.open();
});
afterAll(() => database.dispose());

describe('save, load, list, exists, delete', () => {
  it('creates an item as version 1 with a created event and a projection row', async () => {
    const saved = await store.save(
      'object',
      { name: 'account', namespace: 'crm', metadata: { label: 'Account' } },
      { actor: 'alice', reason: 'initial', expectedVersion: 0 },
    );
    expect(saved).toMatchObject({ success: true, version: 1, created: true, etag: '"v1"' });

    const loaded = await store.load('object', 'account');
    expect(loaded.data).toMatchObject({
      type: 'object',
      name: 'account',
      namespace: 'crm',
      scope: 'platform',
      state: 'active',
      strategy: 'merge',
      metadata: { label: 'Account' },
      version: 1,
      createdBy: 'alice',
      updatedBy: 'alice',
    });
    expect(loaded.etag).toBe('"v1"');

    const events = await database.query<{
      version: number;
      kind: string;
      patch: unknown;
      snapshot: unknown;
      prev_hash: string | null;
      hash: string;
    }>(`SELECT version, kind, patch, snapshot, prev_hash, hash FROM metadata_events WHERE type = 'object' AND name = 'account'`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ version: 1, kind: 'created', prev_hash: null });
    expect(events[0].patch).toContainEqual({ op: 'add', path: '/metadata', value: { label: 'Account' } });
    expect(events[0].snapshot).toMatchObject({ name: 'account', metadata: { label: 'Account' } });

    const [changeset] = await database.query<{ actor: string; reason: string; source: string; event_count: number }>(
      `SELECT c.actor, c.reason, c.source, c.event_count FROM metadata_changesets c JOIN metadata_events e ON e.changeset_id = c.id WHERE e.name = 'account'`,
    );
    expect(changeset).toEqual({ actor: 'alice', reason: 'initial', source: 'api', event_count: 1 });
  });

  it('appends an update as a patch and its inverse, chaining the hash', async () => {
    const saved = await store.save(
      'object',
      { name: 'account', metadata: { label: 'Customer account', fields: { amount: { label: 'Amount' } } } },
      { actor: 'bob' },
    );
    expect(saved).toMatchObject({ version: 2, created: false });
    const [v1, v2] = await database.query<{ hash: string; prev_hash: string; patch: unknown[]; inverse: unknown[]; kind: string }>(
      `SELECT hash, prev_hash, patch, inverse, kind FROM metadata_events WHERE name = 'account' ORDER BY version`,
    );
    expect(v2.kind).toBe('updated');
    expect(v2.prev_hash).toBe(v1.hash);
    expect(v2.patch).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/metadata/label', value: 'Customer account' },
        { op: 'add', path: '/metadata/fields', value: { amount: { label: 'Amount' } } },
      ]),
    );
    expect(v2.inverse).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/metadata/label', value: 'Account' },
        { op: 'remove', path: '/metadata/fields' },
      ]),
    );
    // an update keeps envelope fields the caller did not give
    expect((await store.load('object', 'account')).data).toMatchObject({
      namespace: 'crm',
      version: 2,
      createdBy: 'alice',
      updatedBy: 'bob',
    });
  });

  it('writes nothing when the record did not change', async () => {
    const before = await database.query(`SELECT count(*)::int AS n FROM metadata_events`);
    const saved = await store.save('object', {
      name: 'account',
      metadata: { label: 'Customer account', fields: { amount: { label: 'Amount' } } },
    });
    expect(saved).toMatchObject({ version: 2, unchanged: true });
    expect(await database.query(`SELECT count(*)::int AS n FROM metadata_events`)).toEqual(before);
  });

  it('serves repeated loads from the cache and invalidates it on write', async () => {
    await store.load('object', 'account');
    expect((await store.load('object', 'account')).fromCache).toBe(true);
    await store.save('object', { name: 'account', metadata: { label: 'Account v3' } });
    const after = await store.load('object', 'account');
    expect(after.fromCache).toBe(false);
    expect(after.data?.metadata).toEqual({ label: 'Account v3' });
    expect((await store.load('object', 'account', { cache: false })).fromCache).toBe(false);
  });

  it('answers ifNoneMatch with notModified', async () => {
    const { etag } = await store.load('object', 'account');
    const again = await store.load('object', 'account', { ifNoneMatch: etag });
    expect(again).toMatchObject({ notModified: true, data: null, etag });
  });

  it('lists by type and namespace, and answers exists', async () => {
    await store.save('object', { name: 'contact', namespace: 'crm', metadata: {} });
    await store.save('object', { name: 'invoice', namespace: 'billing', metadata: {} });
    await store.save('view', { name: 'all_accounts', namespace: 'crm', metadata: {} });
    expect((await store.list('object', { namespace: 'crm' })).map((r) => r.name)).toEqual(['account', 'contact']);
    expect((await store.list('object')).map((r) => r.name)).toEqual(['account', 'contact', 'invoice']);
    expect(await store.exists('object', 'contact')).toBe(true);
    expect(await store.exists('object', 'nope')).toBe(false);
  });

  it('deletes with a tombstone carrying the prior state, and recreates continuing the stream', async () => {
    const deleted = await store.delete('object', 'contact', { actor: 'alice', reason: 'cleanup' });
    expect(deleted.version).toBe(2);
    expect((await store.load('object', 'contact')).data).toBeNull();
    const [tombstone] = await database.query<{ kind: string; snapshot: { name: string } }>(
      `SELECT kind, snapshot FROM metadata_events WHERE name = 'contact' AND version = 2`,
    );
    expect(tombstone).toMatchObject({ kind: 'deleted', snapshot: { name: 'contact', namespace: 'crm' } });
    await expect(store.delete('object', 'contact')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const recreated = await store.save('object', { name: 'contact', metadata: { again: true } }, { expectedVersion: 0 });
    expect(recreated).toMatchObject({ version: 3, created: true });
  });

  it('archives: state archived, an archived event, still loadable', async () => {
    const archived = await store.archive('object', 'invoice', { actor: 'alice' });
    expect((await store.load('object', 'invoice')).data).toMatchObject({ state: 'archived', version: archived.version });
    const [event] = await database.query<{ kind: string }>(
      `SELECT kind FROM metadata_events WHERE name = 'invoice' ORDER BY version DESC LIMIT 1`,
    );
    expect(event.kind).toBe('archived');
  });
});

describe('onConflict, create and overwrite', () => {
  it('error refuses an existing item, skip leaves it, replace resets unspecified fields', async () => {
    await store.save('flow', { name: 'f1', namespace: 'ops', owner: 'carol', metadata: { a: 1 } });
    await expect(store.save('flow', { name: 'f1', metadata: { a: 2 } }, { onConflict: 'error' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(store.save('flow', { name: 'f1', metadata: { a: 2 } }, { overwrite: false })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.save('flow', { name: 'f1', metadata: { a: 3 } }, { onConflict: 'skip' })).toMatchObject({
      skipped: true,
      version: 1,
    });
    expect((await store.load('flow', 'f1')).data?.metadata).toEqual({ a: 1 });
    await store.save('flow', { name: 'f1', metadata: { b: 1 } }, { onConflict: 'replace' });
    const replaced = (await store.load('flow', 'f1')).data;
    expect(replaced).toMatchObject({ namespace: 'default', metadata: { b: 1 }, version: 2 });
    expect(replaced?.owner).toBeUndefined();
  });

  it('create: false refuses a missing item', async () => {
    await expect(store.save('flow', { name: 'missing', metadata: {} }, { create: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.exists('flow', 'missing')).toBe(false);
  });

  it('expectedVersion mismatch is a CONFLICT naming both versions, and writes nothing', async () => {
    const error = await store.save('flow', { name: 'f1', metadata: { c: 1 } }, { expectedVersion: 1 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, actualVersion: 2 });
    expect(error.message).toMatch(/expected version 1 but it is at version 2/);
    await expect(store.save('flow', { name: 'f1', metadata: {} }, { expectedVersion: 0 })).rejects.toMatchObject({
      code: 'CONFLICT',
      actualVersion: 2,
    });
    expect((await store.load('flow', 'f1')).data?.version).toBe(2);
  });

  it('runs a save at the isolation level its transaction option names', async () => {
    // a trigger on the projection notes the isolation level of the transaction that writes each row
    await database.query('CREATE TABLE isolation_seen (name text, level text)');
    await database.query(
      `CREATE FUNCTION note_isolation() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO isolation_seen VALUES (NEW.name, current_setting('transaction_isolation')); RETURN NEW; END $$`,
    );
    await database.query(
      'CREATE TRIGGER note_isolation BEFORE INSERT ON _framework_metadata FOR EACH ROW EXECUTE FUNCTION note_isolation()',
    );
    const levels = ['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable'] as const;
    for (const isolationLevel of levels) {
      const saved = await store.save(
        'flow',
        { name: `iso_${isolationLevel}`, metadata: {} },
        { transaction: { enabled: true, isolationLevel } },
      );
      expect(saved.version).toBe(1);
      // the protocol's `enabled` defaults to false; an isolation level given is still the one used
      await store.save('flow', { name: `level_only_${isolationLevel}`, metadata: {} }, { transaction: { isolationLevel } });
    }
    await store.save('flow', { name: 'iso_off', metadata: {} }, { transaction: { enabled: false } });
    await expect(
      store.save('flow', { name: 'iso_bad', metadata: {} }, { transaction: { enabled: false, isolationLevel: 'serializable' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'transaction.isolationLevel', message: expect.stringMatching(/enabled is false/) }],
    });
    const seen = Object.fromEntries(
      (await database.query<{ name: string; level: string }>('SELECT name, level FROM isolation_seen')).map((row) => [row.name, row.level]),
    );
    const expected: Record<string, string> = { iso_off: 'read committed' };
    for (const level of levels) expected[`iso_${level}`] = expected[`level_only_${level}`] = level.replace('_', ' ');
    expect(seen).toEqual(expected);
    await database.query('DROP TRIGGER note_isolation ON _framework_metadata');
  });

  it('each store opened on the test database has its own options and sees the others’ writes', async () => {
    const other = await database.open({ driver: { transaction: { maxRetries: 7 } }, snapshotEvery: 3 });
    expect(other).not.toBe(store);
    expect(internalsOf(other).settings.retry.maxRetries).toBe(7);
    expect(internalsOf(other).snapshotPolicy.snapshotEvery).toBe(3);
    await other.save('flow', { name: 'from_other', metadata: { by: 'other' } });
    expect((await store.load('flow', 'from_other')).data?.metadata).toEqual({ by: 'other' });
  });
});
