import { existsSync } from 'node:fs';
import { internalsOf } from '../../src/store/metadata-store.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore } from '../../src/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { backend, databaseUrl, uniqueSchema } from '../helpers/test-store.js';

// metaledger.config.json: validated (unknown keys refused, naming them), and every key it accepts does
// what it says — each test below fails if its key is ignored. Precedence, setting by setting: explicit
// options > environment > config file > the embedded default.

/** The process environment without any database setting: only what a test gives counts. */
const { DATABASE_URL: _url, METALEDGER_DATA_DIR: _dir, METALEDGER_SCHEMA: _schema, ...cleanEnv } = process.env;

let cwd: string;
const schemas: string[] = [];

async function writeConfig(config: unknown, name = 'metaledger.config.json'): Promise<string> {
  const path = join(cwd, name);
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runCli(args, { cwd, env: { ...cleanEnv, METALEDGER_ACTOR: 'config-test', ...env } });

async function status(args: string[] = [], env: Record<string, string> = {}) {
  const run = await cli(['status', '--json', ...args], env);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as {
    backend: { kind: string; dataDir?: string; schema: string; database?: string };
    sources: { connection: string; schema: string; driver?: string };
    configFile: string | null;
  };
}

async function saveOne(name: string, args: string[] = [], env: Record<string, string> = {}) {
  const file = join(cwd, `${name}.json`);
  await writeFile(file, JSON.stringify({ label: name }));
  const saved = await cli(['save', 'object', name, '--file', file, ...args], env);
  expect(saved).toEqual({ code: 0, stdout: `saved object/${name} v1 (created)\n`, stderr: '' });
}

/** Names of the tables in a PostgreSQL schema. */
async function tablesIn(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
    return rows.map((row) => row.table_name as string);
  } finally {
    await client.end();
  }
}

function pgSchema(tag: string): string {
  const schema = uniqueSchema(tag);
  schemas.push(schema);
  return schema;
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'metaledger-config-'));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
  await mkdir(cwd, { recursive: true });
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
  if (backend !== 'postgres' || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  for (const schema of schemas)
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
  await client.end();
});

describe('a config file that is not valid', () => {
  it('refuses a misspelled key, naming it, instead of falling back to an embedded database', async () => {
    const path = await writeConfig({ connectionstring: 'postgres://somewhere/db' });
    const refused = await cli(['list', 'object']);
    expect(refused).toEqual({
      code: 3,
      stdout: '',
      stderr: [
        `error [VALIDATION]: invalid config file ${path}`,
        "  connectionstring: unknown key 'connectionstring'; the config file takes connectionString, dataDir, datasource, schema, driver, connection, server",
        '',
      ].join('\n'),
    });
    expect(existsSync(join(cwd, '.metaledger'))).toBe(false);
  });

  it('refuses unknown keys at any depth, and every problem at once', async () => {
    await writeConfig({ schema: '1bad', driver: { tableSchema: { nmae: 'x' } }, datasource: { driver: 'pglite', confg: {} } });
    const { code, stderr } = await cli(['status', '--json']);
    expect(code).toBe(3);
    const { error } = JSON.parse(stderr);
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'schema', message: expect.stringContaining('SQL identifier') },
        { path: 'driver.tableSchema.nmae', message: "unknown key 'nmae'" },
        { path: 'datasource.confg', message: "unknown key 'confg'" },
      ]),
    );
  });

  it('refuses malformed JSON, two places for the data, and a --config file that does not exist', async () => {
    const path = await writeConfig('{ "dataDir": ');
    expect(await cli(['status'])).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(`^error \\[VALIDATION\\]: malformed config file\\n  ${path}: `),
    });

    await writeConfig({ dataDir: 'a', connectionString: 'postgres://x/y' });
    expect((await cli(['status'])).stderr).toContain(
      '  dataDir: give one of connectionString, dataDir, datasource (also given: connectionString)',
    );

    const missing = await cli(['status', '--config', 'nowhere.json']);
    expect(missing).toEqual({
      code: 3,
      stdout: '',
      stderr: `error [VALIDATION]: config file not found\n  ${join(cwd, 'nowhere.json')}: no such file\n`,
    });
  });
});

describe('every key of the config file is honoured', () => {
  it.runIf(backend === 'pglite')('dataDir: the embedded database lives there (relative to the file)', async () => {
    await writeConfig({ dataDir: 'from-config' });
    await saveOne('kept');
    expect(existsSync(join(cwd, 'from-config'))).toBe(true);
    expect(existsSync(join(cwd, '.metaledger'))).toBe(false);
    expect(await status()).toMatchObject({
      backend: { kind: 'pglite', dataDir: join(cwd, 'from-config') },
      sources: { connection: 'config file' },
      configFile: join(cwd, 'metaledger.config.json'),
    });
    expect((await cli(['get', 'object', 'kept', '--data-dir', join(cwd, 'from-config')])).code).toBe(0);
  });

  it('schema: the tables are created and read there', async () => {
    const schema = backend === 'postgres' ? pgSchema('config_schema') : 'from_config';
    const connection = backend === 'postgres' ? { connectionString: databaseUrl() } : { dataDir: 'db' };
    await writeConfig({ ...connection, schema });
    await saveOne('in-schema');
    expect(await status()).toMatchObject({ backend: { schema }, sources: { schema: 'config file' } });
    // the same database, the default schema: not there
    const elsewhere = backend === 'postgres' ? ['--db', databaseUrl(), '--schema', pgSchema('config_other')] : ['--schema', 'public'];
    expect((await cli(['get', 'object', 'in-schema', ...elsewhere])).code).toBe(4);
    if (backend === 'postgres') expect(await tablesIn(schema)).toContain('metadata_events');
  });

  it('driver: the projection table takes the configured name', async () => {
    const schema = backend === 'postgres' ? pgSchema('config_driver') : 'public';
    const connection = backend === 'postgres' ? { connectionString: databaseUrl(), schema } : { dataDir: 'db' };
    await writeConfig({ ...connection, driver: { tableSchema: { name: 'custom_metadata' } } });
    await saveOne('in-custom-table');
    expect((await status()).sources.driver).toBe('config file');
    const store = await createMetadataStore(
      backend === 'postgres'
        ? { connectionString: databaseUrl(), schema, configFile: false }
        : { dataDir: join(cwd, 'db'), configFile: false },
    );
    const { rows } = await sql<{ name: string }>`SELECT name FROM custom_metadata`.execute(store.db).finally(() => store.close());
    expect(rows).toEqual([{ name: 'in-custom-table' }]);
  });

  it.runIf(backend === 'postgres')('connectionString: the data goes to that PostgreSQL', async () => {
    const schema = pgSchema('config_url');
    await writeConfig({ connectionString: databaseUrl(), schema });
    await saveOne('on-postgres');
    expect(await status()).toMatchObject({
      backend: { kind: 'postgres', database: 'test', schema },
      sources: { connection: 'config file' },
    });
    expect(existsSync(join(cwd, '.metaledger'))).toBe(false);
    expect(await tablesIn(schema)).toContain('_framework_metadata');
  });

  it('datasource: a DatasourceSchema input picks the driver and its connection', async () => {
    const schema = backend === 'postgres' ? pgSchema('config_datasource') : 'public';
    const datasource =
      backend === 'postgres'
        ? { driver: 'postgres', config: { connectionString: databaseUrl() }, pool: { max: 2 } }
        : { driver: 'pglite', config: { dataDir: 'datasource-dir' } };
    await writeConfig({ datasource, schema });
    await saveOne('via-datasource');
    const seen = await status();
    expect(seen).toMatchObject({ backend: { kind: backend, schema }, sources: { connection: 'config file' } });
    if (backend === 'pglite') expect(seen.backend.dataDir).toBe(join(cwd, 'datasource-dir'));
    else expect(await tablesIn(schema)).toContain('metadata_events');
  });

  it('datasource.active: false is not opened', async () => {
    await writeConfig({ datasource: { name: 'archive', driver: 'pglite', config: { dataDir: 'inactive' }, active: false } });
    expect(await cli(['status'])).toEqual({
      code: 7,
      stdout: '',
      stderr: "error [DATASOURCE_UNAVAILABLE]: datasource 'archive' is not active (active: false)\n",
    });
    expect(existsSync(join(cwd, 'inactive'))).toBe(false);
  });

  it.runIf(backend === 'postgres')('connection: connectTimeoutMs bounds opening a connection to a server that never answers', async () => {
    const silent = createServer(() => {}); // accepts TCP, never speaks the protocol
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as AddressInfo;
    try {
      await writeConfig({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connection: { connectTimeoutMs: 300 } });
      const started = Date.now();
      const run = await cli(['list', 'object']);
      expect(run.code).toBe(7);
      expect(run.stderr).toContain('DATASOURCE_UNAVAILABLE');
      // ignored, the 10 s default would apply
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      silent.close();
    }
  });

  it.runIf(backend === 'postgres')('connection: listenConnectionString is opened (a malformed one is refused)', async () => {
    await writeConfig({
      connectionString: databaseUrl(),
      schema: pgSchema('config_listen'),
      connection: { listenConnectionString: 'not a url' },
    });
    const run = await cli(['list', 'object']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('VALIDATION');
  });

  it.runIf(backend === 'pglite')('connection: settings for PostgreSQL are refused for the embedded database, naming them', async () => {
    await writeConfig({ dataDir: 'data', connection: { transactionPooling: true, connectTimeoutMs: 5 } });
    const run = await cli(['list', 'object', '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stderr).error.issues).toEqual([
      { path: 'connectTimeoutMs', message: expect.stringContaining('PostgreSQL only') },
      { path: 'transactionPooling', message: expect.stringContaining('PostgreSQL only') },
    ]);
    await writeConfig({ dataDir: 'data', connection: { acquireTimeoutMs: 0 } });
    expect(JSON.parse((await cli(['status', '--json'])).stderr).error.issues).toEqual([
      { path: 'connection.acquireTimeoutMs', message: 'Number must be greater than or equal to 1' },
    ]);
    await writeConfig({ dataDir: 'data', connection: { pooling: true } });
    expect(JSON.parse((await cli(['status', '--json'])).stderr).error.issues).toEqual([
      { path: 'connection.pooling', message: "unknown key 'pooling'" },
    ]);
  });

  it.runIf(backend === 'pglite')('--config reads a file from elsewhere, taken from its own directory', async () => {
    await mkdir(join(cwd, 'conf'));
    await writeConfig({ dataDir: 'data-beside-config' }, 'conf/other.json');
    expect((await status(['--config', 'conf/other.json'])).backend.dataDir).toBe(join(cwd, 'conf', 'data-beside-config'));
  });
});

describe('precedence: explicit options > environment > config file > default', () => {
  // the whole matrix is in test/unit/config.test.ts; here one run where all three sources take part
  it.runIf(backend === 'pglite')('resolves the connection and the schema each on its own', async () => {
    await writeConfig({ dataDir: 'file-dir', schema: 'file_schema' });
    expect(await status(['--data-dir', 'flag-dir'], { METALEDGER_DATA_DIR: 'env-dir', METALEDGER_SCHEMA: 'env_schema' })).toMatchObject({
      backend: { dataDir: join(cwd, 'flag-dir'), schema: 'env_schema' },
      sources: { connection: 'option', schema: 'environment' },
    });
  });

  it.runIf(backend === 'pglite')('falls back to ./.metaledger and schema public with nothing configured', async () => {
    expect(await status()).toMatchObject({
      backend: { kind: 'pglite', dataDir: join(cwd, '.metaledger'), schema: 'public' },
      sources: { connection: 'default', schema: 'default' },
      configFile: null,
    });
  });

  it.runIf(backend === 'pglite')(
    'the library reads the same file, or the one named by configFile, or none with configFile: false',
    async () => {
      const path = await writeConfig({ dataDir: 'library-dir', schema: 'library_schema' }, 'library.json');
      // the environment outranks the file: this process's own (CI sets DATABASE_URL) must not take part
      const environment = { DATABASE_URL: process.env.DATABASE_URL, METALEDGER_DATA_DIR: process.env.METALEDGER_DATA_DIR };
      delete process.env.DATABASE_URL;
      delete process.env.METALEDGER_DATA_DIR;
      const store = await createMetadataStore({ configFile: path }).finally(() => {
        for (const [name, value] of Object.entries(environment)) if (value !== undefined) process.env[name] = value;
      });
      try {
        expect(internalsOf(store).datasource.schema).toBe('library_schema');
      } finally {
        await store.close();
      }
      expect(existsSync(join(cwd, 'library-dir'))).toBe(true);
      const ignoring = await createMetadataStore({ configFile: false, inMemory: true });
      try {
        expect(internalsOf(ignoring).datasource.schema).toBe('public');
      } finally {
        await ignoring.close();
      }
    },
  );
});
