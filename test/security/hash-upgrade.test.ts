import { mkdtemp, rm } from 'node:fs/promises';
import { internalsOf } from '../../src/store/metadata-store.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Datasource } from '../../src/datasource/datasource.js';
import { openPglite } from '../../src/datasource/pglite.js';
import { openPostgres } from '../../src/datasource/postgres.js';
import { createMetadataStore, type MetadataStore } from '../../src/index.js';
import { migrate, readMigrationFiles } from '../../src/migrate/migrator.js';
import { backend, databaseUrl, uniqueSchema } from '../helpers/test-store.js';

// A store written before sql/0010 holds events hashed by the first formula (hash version 1). After the
// upgrade they verify by that formula, new events of the same items chain onto them with version 2,
// and nothing already written is re-hashed.

const schema = uniqueSchema('hash_upgrade');
let dataDir: string | undefined;
let store: MetadataStore;

const query = async <T>(text: string) => (await store.db.executeQuery<T>(CompiledQuery.raw(text))).rows;
const tamper = (text: string) => internalsOf(store).datasource.withScriptTransaction((exec) => exec(text));
const found = async () => (await store.verify()).problems.map((p) => `${p.kind}:${p.name}:${p.version}`);

const open = (): Promise<Datasource> | Datasource =>
  backend === 'pglite'
    ? openPglite(dataDir, schema)
    : openPostgres(
        { connectionString: databaseUrl(), statementTimeoutMs: 30_000, connectTimeoutMs: 10_000, acquireTimeoutMs: 30_000, secrets: [] },
        schema,
      );

/** What the append statement before sql/0010 wrote for one created item: changeset, event, stream head, row. */
const legacyCreate = (name: string, actor: string) => `
  WITH c AS (
    INSERT INTO metadata_changesets (id, actor, reason, source, event_count, created_at)
    VALUES (gen_random_uuid(), '${actor}', 'legacy', 'api', 1, date_trunc('milliseconds', now())) RETURNING id, created_at
  ), d AS (
    SELECT gen_random_uuid() AS item_id, jsonb_build_object('id', gen_random_uuid()::text, 'type', 'object', 'name', '${name}',
           'namespace', 'default', 'scope', 'platform', 'metadata', '{"n": 1}'::jsonb, 'strategy', 'merge', 'state', 'active') AS doc
  ), e AS (
    INSERT INTO metadata_events (item_id, type, name, version, kind, patch, inverse, snapshot, namespace, scope, state, strategy,
                                 changeset_id, recorded_at, prev_hash, hash)
    SELECT d.item_id, 'object', '${name}', 1, 'created', jsonb_build_array(jsonb_build_object('op', 'add', 'path', '/id', 'value', d.doc->'id')),
           '[]', d.doc, 'default', 'platform', 'active', 'merge', c.id, c.created_at, NULL,
           metadata_event_hash(NULL, d.item_id, 'object', '${name}', 1, 'created',
             jsonb_build_array(jsonb_build_object('op', 'add', 'path', '/id', 'value', d.doc->'id')), '[]', d.doc,
             jsonb_build_object('namespace', 'default', 'scope', 'platform', 'state', 'active', 'owner', NULL, 'extends', NULL, 'strategy', 'merge'),
             c.id, c.created_at)
    FROM c, d RETURNING item_id, hash, recorded_at
  ), s AS (
    INSERT INTO metadata_streams (item_id, type, name, version, hash, document, updated_at)
    SELECT e.item_id, 'object', '${name}', 1, e.hash, d.doc, e.recorded_at FROM e, d
  )
  INSERT INTO _framework_metadata (id, name, type, namespace, scope, metadata, strategy, state, created_by, created_at, updated_by, updated_at, version)
  SELECT d.doc->>'id', '${name}', 'object', 'default', 'platform', d.doc->'metadata', 'merge', 'active', '${actor}', e.recorded_at, '${actor}', e.recorded_at, 1
  FROM d, e`;

beforeAll(async () => {
  if (backend === 'pglite') dataDir = await mkdtemp(join(tmpdir(), 'metaledger-upgrade-'));
  const before = await open();
  try {
    await migrate(
      before,
      readMigrationFiles().filter((file) => file.name < '0010'),
    );
    await before.withScriptTransaction(async (exec) => {
      await exec(legacyCreate('legacy_a', 'alice'));
      await exec(legacyCreate('legacy_b', 'bob'));
    });
  } finally {
    await before.close();
  }
  store = await createMetadataStore(backend === 'pglite' ? { dataDir, schema } : { connectionString: databaseUrl(), schema });
});

afterAll(async () => {
  await store.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  else {
    const cleanup = await open();
    await cleanup.withScriptTransaction((exec) => exec(`DROP SCHEMA "${schema}" CASCADE`));
    await cleanup.close();
  }
});

describe('events written before the hash chain covered changesets', () => {
  it('keep hash version 1 and verify by their formula; new events chain on with version 2', async () => {
    const legacy = await query<{ name: string; hash_version: number }>(`SELECT name, hash_version FROM metadata_events ORDER BY name`);
    expect(legacy).toEqual([
      { name: 'legacy_a', hash_version: 1 },
      { name: 'legacy_b', hash_version: 1 },
    ]);
    expect((await store.verify()).problems).toEqual([]);
    await store.save('object', { name: 'legacy_a', metadata: { n: 2 } }, { actor: 'carol' });
    await store.save('object', { name: 'fresh', metadata: {} });
    const versions = await query<{ name: string; version: number; hash_version: number }>(
      `SELECT name, version, hash_version FROM metadata_events ORDER BY name, version`,
    );
    expect(versions).toEqual([
      { name: 'fresh', version: 1, hash_version: 2 },
      { name: 'legacy_a', version: 1, hash_version: 1 },
      { name: 'legacy_a', version: 2, hash_version: 2 },
      { name: 'legacy_b', version: 1, hash_version: 1 },
    ]);
    const anchor = await store.anchor();
    expect(await store.verify({ anchor })).toMatchObject({ ok: true, problems: [] });
  });

  it('a version 1 event’s content is covered, its changeset’s actor only through the projection; a version 2 one’s is hashed', async () => {
    // legacy: the hash does not cover the actor; only the projection's created_by disagrees
    await tamper(`UPDATE metadata_changesets SET actor = 'mallory' WHERE actor = 'bob'`);
    expect(await found()).toEqual(['projection_mismatch:legacy_b:1']);
    await tamper(`UPDATE metadata_changesets SET actor = 'bob' WHERE actor = 'mallory'`);
    await tamper(`UPDATE metadata_changesets SET actor = 'mallory' WHERE actor = 'carol'`);
    expect(await found()).toContain('hash_mismatch:legacy_a:2');
    await tamper(`UPDATE metadata_changesets SET actor = 'carol' WHERE actor = 'mallory'`);
    expect(await found()).toEqual([]);
    await tamper(`UPDATE metadata_events SET snapshot = jsonb_set(snapshot, '{metadata,n}', '9') WHERE name = 'legacy_b'`);
    expect(await found()).toContain('hash_mismatch:legacy_b:1');
  });
});
