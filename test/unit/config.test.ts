import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionChoiceOf, describeBackend, readConfigFile, resolveStoreSettings } from '../../src/config.js';
import { isMetaledgerError, ValidationError } from '../../src/errors.js';
import { createMetadataStore } from '../../src/index.js';

const cwd = mkdtempSync(join(tmpdir(), 'metaledger-config-unit-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function withConfig(config: unknown, name = 'metaledger.config.json'): string {
  const path = join(cwd, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('resolveStoreSettings: explicit options > environment > config file > default, setting by setting', () => {
  const file = withConfig({ connectionString: 'postgres://file@filehost/filedb', schema: 'file_schema' }, 'precedence.json');
  const context = (env: Record<string, string> = {}) => ({ env, cwd, configFile: file });

  it.each([
    {
      label: 'the config file',
      options: {},
      env: {},
      target: { kind: 'postgres', connectionString: 'postgres://file@filehost/filedb' },
      schema: 'file_schema',
      sources: { connection: 'config file', schema: 'config file' },
    },
    {
      label: 'the environment over the file',
      options: {},
      env: { DATABASE_URL: 'postgres://env@envhost/envdb', METALEDGER_SCHEMA: 'env_schema' },
      target: { kind: 'postgres', connectionString: 'postgres://env@envhost/envdb' },
      schema: 'env_schema',
      sources: { connection: 'environment', schema: 'environment' },
    },
    {
      label: 'METALEDGER_DATA_DIR over the file, relative to cwd',
      options: {},
      env: { METALEDGER_DATA_DIR: 'envdir' },
      target: { kind: 'pglite', dataDir: join(cwd, 'envdir') },
      schema: 'file_schema',
      sources: { connection: 'environment', schema: 'config file' },
    },
    {
      label: 'options over both',
      options: { dataDir: 'optdir', schema: 'opt_schema' },
      env: { DATABASE_URL: 'postgres://env@envhost/envdb', METALEDGER_SCHEMA: 'env_schema' },
      target: { kind: 'pglite', dataDir: join(cwd, 'optdir') },
      schema: 'opt_schema',
      sources: { connection: 'option', schema: 'option' },
    },
    {
      label: 'an option for one setting only',
      options: { schema: 'opt_schema' },
      env: {},
      target: { kind: 'postgres', connectionString: 'postgres://file@filehost/filedb' },
      schema: 'opt_schema',
      sources: { connection: 'config file', schema: 'option' },
    },
  ])('$label', ({ options, env, target, schema, sources }) => {
    const settings = resolveStoreSettings(options, context(env as Record<string, string>));
    expect(settings).toMatchObject({ target, schema, sources, configFile: file });
  });

  it('falls back to ./.metaledger of the working directory and schema public', () => {
    expect(resolveStoreSettings({}, { env: {}, cwd, configFile: false })).toEqual({
      target: { kind: 'pglite', dataDir: join(cwd, '.metaledger') },
      schema: 'public',
      driver: undefined,
      connectionSettings: {},
      sources: { connection: 'default', schema: 'default' },
      configFile: undefined,
    });
  });

  it('takes driver settings from the options, else from the file', () => {
    const path = withConfig({ driver: { tableSchema: { name: 'from_file' } } }, 'driver.json');
    expect(resolveStoreSettings({}, { env: {}, cwd, configFile: path })).toMatchObject({
      driver: { tableSchema: { name: 'from_file' } },
      sources: { driver: 'config file' },
    });
    expect(resolveStoreSettings({ driver: { tableSchema: { name: 'from_option' } } }, { env: {}, cwd, configFile: path })).toMatchObject({
      driver: { tableSchema: { name: 'from_option' } },
      sources: { driver: 'option' },
    });
  });

  it('opens exactly the resolved target again from connectionChoiceOf', () => {
    const context = { env: {}, cwd, configFile: false as const };
    for (const choice of [
      { dataDir: '/data/x' },
      { inMemory: true },
      { connectionString: 'postgres://a@b/c' },
      { datasource: { driver: 'postgres', config: { host: 'h', password: 'p' }, pool: { max: 3 }, active: false } },
      { datasource: { driver: 'pglite', config: { dataDir: 'relative' } } },
    ]) {
      const { target } = resolveStoreSettings(choice, context);
      expect(resolveStoreSettings(connectionChoiceOf(target), context).target).toEqual(target);
    }
  });
});

describe('readConfigFile on any input', () => {
  const known = ['connectionString', 'dataDir', 'datasource', 'schema', 'driver', 'connection'];
  const anyKey = fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 12 }));
  const anyConfig = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(anyKey, fc.oneof(fc.jsonValue(), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })))),
  );

  it('returns a config whose every key is known, or refuses with VALIDATION naming the file', () => {
    fc.assert(
      fc.property(anyConfig, (config) => {
        const path = withConfig(config, 'fuzz.json');
        let outcome: unknown;
        try {
          outcome = readConfigFile(cwd, 'fuzz.json');
        } catch (error) {
          outcome = error;
        }
        if (isMetaledgerError(outcome)) {
          expect(outcome).toBeInstanceOf(ValidationError);
          expect((outcome as ValidationError).context).toBe(`invalid config file ${path}`);
          expect((outcome as ValidationError).issues.length).toBeGreaterThan(0);
        } else {
          expect(Object.keys((outcome as { given: object }).given).every((key) => known.includes(key))).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('a datasource key the store would not read', () => {
  const datasourceKeys = ['name', 'driver', 'config', 'pool', 'active'];
  const unknownKey = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !datasourceKeys.includes(key) && key !== '__proto__');

  it('dataDir beside config instead of in it is refused, and no database is made (it opened one in memory)', async () => {
    const dataDir = join(cwd, 'misplaced');
    await expect(createMetadataStore({ datasource: { driver: 'pglite', dataDir } as never, configFile: false })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: expect.stringMatching(/dataDir$/), message: expect.stringMatching(/go in config/) }],
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty'])(
    '%s, a name every object inherits, is refused in a config file too',
    async (key) => {
      const configFile = withConfig({ datasource: { driver: 'pglite', [key]: '' } }, 'inherited.json');
      await expect(createMetadataStore({ configFile })).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [{ path: `datasource.${key}`, message: `unknown key '${key}'` }],
      });
    },
  );

  it('is refused with VALIDATION naming it, in the datasource or its pool, in options or a config file', async () => {
    await fc.assert(
      fc.asyncProperty(unknownKey, fc.jsonValue(), fc.boolean(), fc.boolean(), async (key, value, inPool, inFile) => {
        const datasource = inPool ? { driver: 'pglite', pool: { max: 2, [key]: value } } : { driver: 'pglite', [key]: value };
        const options = inFile ? { configFile: withConfig({ datasource }, 'datasource.json') } : { datasource, configFile: false as const };
        const refused = await createMetadataStore(options as never).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(ValidationError);
        const issue = (refused as ValidationError).issues[0];
        expect(issue.path.endsWith(inPool ? `pool.${key}` : key)).toBe(true);
        // a config file names every unknown key at any depth its own way (see readConfigFile)
        expect(issue.message).toMatch(inFile ? /unknown key/ : inPool ? /not a pool setting/ : /not a datasource setting/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('describeBackend', () => {
  it('never shows a password, whatever the connection string', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.stringMatching(/^[A-Za-z0-9]{6,16}$/), (url, random) => {
        const password = `Zq_${random}_9`; // a form no host or path of the generated URL takes
        const withPassword = new URL(url);
        withPassword.protocol = 'postgres:';
        withPassword.username = 'someone';
        withPassword.password = password;
        const text = JSON.stringify(describeBackend({ kind: 'postgres', connectionString: withPassword.href }, 'public'));
        expect(text).not.toContain(password);
        expect(JSON.stringify(describeBackend({ kind: 'postgres', config: { host: 'h', password } }, 'public'))).not.toContain(password);
      }),
      { numRuns: 500 },
    );
  });

  it('names host, port, database, user and schema, or the data directory', () => {
    expect(describeBackend({ kind: 'postgres', connectionString: 'postgres://app:pw@db.example:6543/meta' }, 'crm').summary).toBe(
      'PostgreSQL app@db.example:6543/meta, schema crm',
    );
    expect(describeBackend({ kind: 'pglite', dataDir: '/srv/.metaledger' }, 'public').summary).toBe(
      'embedded PGlite /srv/.metaledger, schema public',
    );
    expect(describeBackend({ kind: 'pglite' }, 'public').summary).toBe('embedded PGlite memory, schema public');
  });
});
