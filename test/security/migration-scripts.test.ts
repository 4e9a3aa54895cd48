import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import type { Datasource } from '../../src/datasource/datasource.js';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { migrate } from '../../src/migrate/migrator.js';
import type { MetadataStore } from '../../src/index.js';
import { backend, createTestDatabase, databaseUrl, uniqueSchema, type TestDatabase } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

// A migration script is administrator input that may change only the projection table it names. Each
// escape found when the guard was a name check gets a test: the script is refused and rolled back,
// and nothing it did stays behind.

let database: TestDatabase;
let store: MetadataStore;
let driver: MetadataDriver;
/** Another store's log in the same database, and a table of some other application. */
const other = uniqueSchema('other_store');

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => database.query<T>(text, params);
const alter = (script: string) => driver.migrate({ type: 'alter', table: '_framework_metadata', script });
const exists = async (qualified: string) =>
  (await sql<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [qualified]))[0].present;

beforeAll(async () => {
  database = await createTestDatabase('migration_scripts');
  store = await database.open();
  driver = await new MetadataDriver(store, { migration: { backupBeforeMigrate: false } }).init();
  await migrate({ ...internalsOf(store).datasource, schema: other } as Datasource);
  await internalsOf(store).datasource.withScriptTransaction((exec) =>
    exec(`CREATE TABLE unrelated_app_table (id int); INSERT INTO unrelated_app_table VALUES (1)`),
  );
  for (let i = 0; i < 3; i++) await store.save('object', { name: `seed${i}`, metadata: { i } }, { actor: 'alice' });
});
afterAll(async () => {
  await internalsOf(store).datasource.withScriptTransaction((exec) => exec(`DROP SCHEMA IF EXISTS "${other}" CASCADE`));
  await database.dispose();
});

describe('the four escapes', () => {
  it('a trigger on the projection table (rewriting every changeset’s actor) is refused and never fires', async () => {
    const error = await alter(`
      CREATE FUNCTION rewrite_actor() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN EXECUTE 'UPDATE metadata_' || 'changesets SET actor = ''mallory'''; RETURN NEW; END $$;
      CREATE TRIGGER rewrite_actor AFTER INSERT OR UPDATE ON _framework_metadata FOR EACH ROW EXECUTE FUNCTION rewrite_actor();`).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(/trigger|function/) });
    await store.save('object', { name: 'after_trigger', metadata: {} }, { actor: 'bob' });
    expect(await sql(`SELECT DISTINCT actor FROM metadata_changesets WHERE actor = 'mallory'`)).toEqual([]);
    expect(await sql(`SELECT tgname FROM pg_trigger WHERE tgrelid = '_framework_metadata'::regclass AND NOT tgisinternal`)).toEqual([]);
    expect((await store.verify()).problems).toEqual([]);
    // even a trigger calling a built-in function changes what every later save does: refused too
    await expect(
      alter(`CREATE TRIGGER quiet BEFORE UPDATE ON _framework_metadata FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()`),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
  });

  it('a session setting made by a script (search_path) never reaches a later save', async () => {
    const before = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_events`))[0].n;
    // a session setting is harmless on the script's own connection, which is discarded: the script runs
    await alter(`SELECT set_config('search_path', '"${other}"', false)`);
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.save('object', { name: `after_search_path_${i}`, metadata: { i } })));
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_events`))[0].n).toBe(before + 40);
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${other}".metadata_events`))[0].n).toBe(0);
    // likewise a time zone, a statement timeout and another setting, SET without LOCAL
    await alter(`SET timezone TO 'Pacific/Chatham'; SET statement_timeout TO 1; SELECT set_config('application_name', 'x', false)`);
    // a 1 ms statement timeout left behind would fail these saves
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.save('object', { name: `after_settings_${i}`, metadata: { i } })));
    expect((await store.verify()).problems).toEqual([]);
  });

  it('an internal function replaced through a U& identifier is refused; saves racing the script all land', async () => {
    const definition = async () =>
      (await sql<{ body: string }>(`SELECT pg_get_functiondef('metadata_expect_appended'::regproc) AS body`))[0].body;
    const original = await definition();
    const racing = Array.from({ length: 20 }, (_, i) => store.save('object', { name: `racing_${i}`, metadata: { i } }));
    const migration = alter(`
      CREATE OR REPLACE FUNCTION U&"metadata_\\0065xpect_appended"(appended bigint, expected bigint) RETURNS bigint
      LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'broken by a migration'; END $$;
      SELECT pg_sleep(0.2);`).catch((e) => e);
    const results = await Promise.allSettled(racing);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await migration).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringContaining('metadata_expect_appended') });
    expect(await definition()).toBe(original);
    await store.save('object', { name: 'after_function', metadata: {} });
  });

  it('another store’s log and an unrelated table are not dropped', async () => {
    const error = await alter(`
      DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident('${other}') || '.metadata_' || 'events CASCADE'; END $$;
      DROP TABLE unrelated_app_table;`).catch((e) => e);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(error.message).toContain('unrelated_app_table');
    expect(await exists(`"${other}".metadata_events`)).toBe(true);
    expect(await exists('unrelated_app_table')).toBe(true);
    expect(await sql(`SELECT id FROM unrelated_app_table`)).toEqual([{ id: 1 }]);
  });
});

describe('what else a script may not do', () => {
  const refused: [string, string][] = [
    ['write another table', `UPDATE unrelated_app_table SET id = 2`],
    ['write the log', `DO $$ BEGIN EXECUTE 'DELETE FROM metadata_' || 'streams'; END $$`],
    ['truncate the log', `TRUNCATE metadata_streams, _framework_metadata`],
    ['create a table elsewhere', `CREATE TABLE sneaky (x int)`],
    ['create a view', `CREATE VIEW sneaky_view AS SELECT * FROM metadata_events`],
    ['create a function', `CREATE FUNCTION helper() RETURNS int LANGUAGE sql AS 'SELECT 1'`],
    ['create a schema', `CREATE SCHEMA sneaky_schema`],
    ['grant on another table', `GRANT SELECT ON unrelated_app_table TO PUBLIC`],
    ['add a rule to the projection', `CREATE RULE r AS ON DELETE TO _framework_metadata DO INSTEAD NOTHING`],
    ['add a policy to the projection', `CREATE POLICY p ON _framework_metadata USING (false)`],
    ['reference another table', `ALTER TABLE _framework_metadata ADD COLUMN app int REFERENCES unrelated_app_table (id)`],
    ['rewind the log’s position sequence', `SELECT setval('metadata_events_position_seq', 1)`],
    // the next nextval would hand out the last position again
    [
      'rewind the log’s position sequence by one',
      `SELECT setval('metadata_events_position_seq', (SELECT last_value FROM metadata_events_position_seq), false)`,
    ],
    ['lock the log against saves', `LOCK TABLE metadata_events IN ACCESS EXCLUSIVE MODE`],
  ];
  for (const [what, script] of refused) {
    it(`may not ${what}`, async () => {
      const [{ position }] = await sql<{ position: number }>(`SELECT last_value AS position FROM metadata_events_position_seq`);
      await expect(alter(script), script).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
      expect(await exists('sneaky')).toBe(false);
      expect(await exists('sneaky_view')).toBe(false);
      expect(await sql(`SELECT id FROM unrelated_app_table`)).toEqual([{ id: 1 }]);
      // a sequence is not transactional: a rewound one is set back
      const [after] = await sql<{ position: number }>(`SELECT last_value AS position FROM metadata_events_position_seq`);
      expect(Number(after.position)).toBeGreaterThanOrEqual(Number(position));
      await store.save('object', { name: 'still_saves', metadata: { what } });
    });
  }

  // one connection on PGlite: nothing else can run while a script does
  it.runIf(backend === 'postgres')(
    'a sequence another session sets back while a script runs is not blamed on the script, nor touched',
    async () => {
      const sequence = `"${other}".metadata_events_position_seq`;
      await sql(`SELECT nextval($1) FROM generate_series(1, 5)`, [sequence]);
      const migrating = alter(`SELECT pg_sleep(0.8)`);
      // the script has started (its transaction holds the projection table) before the other session rewinds
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql(`SELECT setval($1, 1)`, [sequence]);
      await expect(migrating).resolves.toMatchObject({ outcome: 'succeeded' });
      expect(await sql(`SELECT last_value::int AS position FROM ${sequence}`)).toEqual([{ position: 1 }]);
    },
  );

  it.runIf(backend === 'postgres')('a sequence another session drops as a script starts does not fail the migration', async () => {
    // named like a metaledger sequence: its "does not exist" reads as "not migrated" once typed, and must still be retried
    const doomed = `"${other}".metadata_doomed_seq`;
    await sql(`CREATE SEQUENCE ${doomed}`);
    const [{ oid }] = await sql<{ oid: number }>(`SELECT $1::regclass::oid::int AS oid`, [doomed]);
    const dropper = new pg.Client({ connectionString: databaseUrl() });
    await dropper.connect();
    try {
      await dropper.query('BEGIN');
      await dropper.query(`DROP SEQUENCE ${doomed}`);
      // the migration lists the sequence (the drop is not committed yet), then waits on the drop's lock to read it
      const migrating = alter('SELECT 1');
      const waiting = () => sql(`SELECT 1 FROM pg_locks WHERE relation = $1 AND NOT granted`, [oid]);
      await waitFor(async () => (await waiting()).length > 0, 'the migration to wait for the dropped sequence');
      await dropper.query('COMMIT');
      await expect(migrating).resolves.toMatchObject({ outcome: 'succeeded' });
    } finally {
      await dropper.end();
    }
  });

  it('refuses transaction control, even behind a comment, before anything runs', async () => {
    for (const script of [
      'SELECT 1; /* a comment */ COMMIT; DROP TABLE unrelated_app_table',
      '-- note\nEND; DROP TABLE unrelated_app_table',
      'ALTER TABLE _framework_metadata ADD COLUMN x int; ROLLBACK',
      'begin; DROP TABLE unrelated_app_table',
      "SELECT ';'; Savepoint s",
    ]) {
      await expect(alter(script), script).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('transaction') });
    }
    expect(await exists('unrelated_app_table')).toBe(true);
  });

  it('may change the projection table itself, read the log, and use temporary objects', async () => {
    await alter(`
      CREATE FUNCTION pg_temp.label(m jsonb) RETURNS text LANGUAGE sql AS $$ SELECT m->>'i' $$;
      CREATE TEMP TABLE counts AS SELECT name, count(*) AS n FROM metadata_events GROUP BY name;
      ALTER TABLE _framework_metadata ADD COLUMN events int, ADD COLUMN label text DEFAULT 'x' CHECK (label <> '');
      UPDATE _framework_metadata p SET events = c.n, label = coalesce(pg_temp.label(p.metadata), 'none') FROM counts c WHERE c.name = p.name;
      CREATE INDEX projection_events ON _framework_metadata (events);
      COMMENT ON COLUMN _framework_metadata.events IS 'events per item';
      SET LOCAL work_mem = '8MB';`);
    expect(await sql(`SELECT events, label FROM _framework_metadata WHERE name = 'seed1'`)).toEqual([{ events: 1, label: '1' }]);
    await store.save('object', { name: 'seed1', metadata: { i: 2 } });
    expect((await store.verify()).problems).toEqual([]);
  });
});
