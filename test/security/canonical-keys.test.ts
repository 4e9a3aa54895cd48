import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { main } from '../../src/cli/main.js';
import { isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { DatabaseLoader } from '../../src/loaders/database/database-loader.js';
import { FileLoader } from '../../src/loaders/file/file-loader.js';
import { HttpLoader } from '../../src/loaders/http/http-loader.js';
import { createMetadataService } from '../../src/service/create-service.js';
import { importMetadata } from '../../src/service/import/import-metadata.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import { operatorPrincipal, type Principal } from '../../src/service/principal.js';
import { backend, createTestDatabase, databaseUrl, uniqueSchema, type TestDatabase } from '../helpers/test-store.js';
import { caseVariant, nfcOf, nonCanonicalVariants } from './helpers/name-variants.js';
import { storeState } from './helpers/store-state.js';

let database: TestDatabase;
let store: MetadataStore;
let driver: MetadataDriver;
let service: MetadataService;
let work: string;

const alice: Principal = { id: 'alice', roles: ['editor'] };
const root: Principal = { id: 'root', roles: ['admin'] };

beforeAll(async () => {
  database = await createTestDatabase('canonical_keys');
  store = await database.open();
  driver = new MetadataDriver(store);
  service = createMetadataService({ store });
  work = await mkdtemp(join(tmpdir(), 'metaledger-keys-'));
  await store.save('object', { name: 'account', scope: 'system', metadata: { label: 'Account' } });
});
afterAll(async () => {
  await database.dispose();
  await rm(work, { recursive: true, force: true });
});

/** The call's error, which must be a MetaledgerError. */
async function failure(call: () => Promise<unknown>): Promise<{ code: string; message: string; issues?: { path: string }[] }> {
  const outcome = await call().then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a refusal, got ${JSON.stringify(outcome.resolved)}`);
  if (!isMetaledgerError(outcome.error)) throw new Error(`not a MetaledgerError: ${String(outcome.error)}`);
  return outcome.error as never;
}

describe('regression: a name with surrounding whitespace cannot overwrite a system item', () => {
  it("alice's service.register of ' account' as her own user item is refused and the system item stays", async () => {
    const before = await storeState(database);
    const error = await failure(() =>
      service.register(
        'object',
        { name: ' account', scope: 'user', metadata: { label: 'pwned' } },
        { principal: alice, expectedEtag: '"v1"' },
      ),
    );
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'name' }] });
    expect(await storeState(database)).toEqual(before);
    expect((await store.load('object', 'account', { cache: false })).data).toMatchObject({
      scope: 'system',
      version: 1,
      metadata: { label: 'Account' },
    });
  });
});

/** Every entry that takes a name, as a call with that name. Each must refuse every non-canonical spelling. */
function entries(name: string): [string, () => Promise<unknown>][] {
  const record = { name, metadata: { v: 1 } };
  const dir = join(work, 'files');
  const files = new FileLoader({ root: dir });
  const database = new DatabaseLoader(store);
  return [
    ['store.save', () => store.save('object', record)],
    ['store.save (type)', () => store.save(name, { name: 'x', metadata: {} })],
    ['store.update', () => store.update('object', name, (current) => current)],
    ['store.delete', () => store.delete('object', name)],
    ['store.archive', () => store.archive('object', name)],
    ['store.load', () => store.load('object', name)],
    ['store.exists', () => store.exists('object', name)],
    ['store.list (type)', () => store.list(name)],
    ['store.history', () => store.history('object', name)],
    ['store.getAt', () => store.getAt('object', name, { version: 1 })],
    ['store.diff', () => store.diff('object', name, 1, 1)],
    ['store.blame', () => store.blame('object', name)],
    ['store.rollback', () => store.rollback('object', name, 1)],
    ['store.changes (types)', () => store.changes({ types: [name] })],
    ['store.restore (types)', () => store.restore({ position: 0, types: [name], dryRun: true })],
    ['driver.load', () => driver.load('object', name)],
    ['driver.list (type)', () => driver.list(name)],
    ['driver.query (name filter)', () => driver.query({ filters: { name } })],
    ['driver.query (type filter)', () => driver.query({ filters: { type: ['object', name] } })],
    ['driver.bulkOperation', () => driver.bulkOperation({ operation: 'upsert', records: [{ type: 'object', ...record }] })],
    ['driver.bulkOperation (delete)', () => driver.bulkOperation({ operation: 'delete', records: [{ type: 'object', name }] })],
    ['service.register', () => service.register('object', record, { principal: root })],
    ['service.get', () => service.get('object', name, { principal: root })],
    ['service.list (type)', () => service.list(name, { principal: root })],
    ['service.unregister', () => service.unregister('object', name, { principal: root })],
    ['database loader load', () => database.load('object', name)],
    ['database loader save', () => database.save('object', record)],
    ['database loader delete', () => database.delete('object', name)],
    ['file loader load', () => files.load('object', name)],
    ['file loader save', () => files.save('object', record)],
    ['file loader delete', () => files.delete('object', name)],
    ['http loader load', () => new HttpLoader({ baseUrl: 'http://127.0.0.1:9' }).load('object', name)],
    ['http loader save', () => new HttpLoader({ baseUrl: 'http://127.0.0.1:9', capabilities: { write: true } }).save('object', record)],
  ];
}

describe.each(nonCanonicalVariants)('every library entry refuses a name with a $label', (variant) => {
  it('with VALIDATION naming the field, before writing, reading or checking access', async () => {
    const name = variant.of('account');
    const before = await storeState(database);
    const refused: string[] = [];
    for (const [entry, call] of entries(name)) {
      const error = await failure(call).catch((unexpected: Error) => ({ code: `${entry}: ${unexpected.message}`, message: '' }));
      if (error.code !== 'VALIDATION') refused.push(`${entry}: ${error.code} ${error.message}`);
    }
    expect(refused).toEqual([]);
    expect(await storeState(database)).toEqual(before);
    await expect(stat(join(work, 'files', 'object', `${name}.json`))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('case is significant, in every layer', () => {
  it('a case variant is another item: saving it never touches the original', async () => {
    const original = await store.load('object', 'account', { cache: false });
    await store.save('object', { name: caseVariant('account'), scope: 'platform', metadata: { label: 'other' } });
    expect((await store.load('object', 'account', { cache: false })).data).toEqual(original.data);
    expect((await store.load('object', 'ACCOUNT')).data).toMatchObject({ scope: 'platform', metadata: { label: 'other' } });
    expect((await driver.query({ filters: { name: 'Account' } })).records).toEqual([]);
    expect(await service.get('object', 'Account', { principal: root })).toBeNull();
    await expect(service.unregister('object', 'Account', { principal: root })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the file loader keeps case variants apart, as the database does', async () => {
    const files = new FileLoader({ root: join(work, 'case-files') });
    await files.save('object', { name: 'lead', metadata: { v: 'lower' } });
    expect((await files.load('object', 'Lead')).data).toBeNull();
    expect((await files.load('object', 'lead')).data).toMatchObject({ metadata: { v: 'lower' } });
  });

  it('NFC and NFD are not two spellings of one item: the NFD one is refused, the NFC one is a name', async () => {
    await store.save('object', { name: nfcOf('caf'), metadata: {} });
    expect((await store.load('object', 'caf\u00E9')).data).toMatchObject({ name: 'caf\u00E9' });
    await expect(store.load('object', 'cafe\u0301')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('identity fields of a record are canonical too', () => {
  it.each([
    ['namespace', { namespace: ' crm' }],
    ['owner', { scope: 'user', owner: 'alice\u200B' }],
    ['extends', { extends: 'account ' }],
  ] as const)('%s', async (field, fields) => {
    const before = await storeState(database);
    const error = await failure(() => store.save('object', { name: `with-${field}`, metadata: {}, ...fields }));
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: field }] });
    expect(await storeState(database)).toEqual(before);
  });

  it('a principal id is canonical: a service call as "alice\\u200b" is refused before any access check', async () => {
    const before = await storeState(database);
    const error = await failure(() =>
      service.register('object', { name: 'x', scope: 'user', metadata: {} }, { principal: { id: 'alice\u200B', roles: [] } }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'principal.id' }] });
    expect(await storeState(database)).toEqual(before);
  });
});

describe('import refuses non-canonical keys in files and bundles', () => {
  it.each(nonCanonicalVariants.filter((variant) => !/newline|tab/.test(variant.label)))(
    'a record file named with a $label',
    async (variant) => {
      const dir = join(work, `import-${variant.label.replace(/\W+/g, '-')}`);
      await mkdir(join(dir, 'object'), { recursive: true });
      await writeFile(join(dir, 'object', `${variant.of('account')}.json`), JSON.stringify({ scope: 'system', metadata: { pwned: 1 } }));
      const before = await storeState(database);
      const error = await failure(() => importMetadata(store, { source: dir, allowSystem: true, principal: operatorPrincipal('deploy') }));
      expect(error).toMatchObject({ code: 'VALIDATION' });
      expect(await storeState(database)).toEqual(before);
    },
  );

  it.each(nonCanonicalVariants)('a bundle item named with a $label', async (variant) => {
    const file = join(work, 'bundle.json');
    await writeFile(file, JSON.stringify({ items: [{ type: 'object', name: variant.of('account'), scope: 'system', metadata: {} }] }));
    const before = await storeState(database);
    const error = await failure(() => importMetadata(store, { source: file, allowSystem: true, principal: operatorPrincipal('deploy') }));
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(error.message).toContain('name');
    expect(await storeState(database)).toEqual(before);
  });
});

describe('CLI (in process) refuses non-canonical keys before it opens the database', () => {
  async function cli(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const output = { stdout: '', stderr: '' };
    stdout.on('data', (chunk) => (output.stdout += chunk));
    stderr.on('data', (chunk) => (output.stderr += chunk));
    const stdin = new PassThrough();
    stdin.end('{"metadata":{"v":1}}');
    const code = await main(args, { stdout, stderr, stdin, env: process.env, cwd: work });
    return { code, ...output };
  }

  it.each(nonCanonicalVariants)('get / save / delete / history with a $label', async (variant) => {
    const dataDir = join(work, `cli-${variant.label.replace(/\W+/g, '-')}`);
    const schema = uniqueSchema('cli_keys');
    const target = backend === 'pglite' ? ['--data-dir', dataDir] : ['--db', databaseUrl(), '--schema', schema];
    for (const command of [
      ['get', 'object', variant.of('account')],
      ['save', 'object', variant.of('account'), '--file', '-'],
      ['delete', 'object', variant.of('account')],
      ['history', 'object', variant.of('account')],
      ['save', variant.of('object'), 'account', '--file', '-'],
    ]) {
      const run = await cli([...target, ...command]);
      expect(run, command.join(' ')).toMatchObject({ code: 3 });
      expect(run.stderr).toContain('error [VALIDATION]');
    }
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    if (backend === 'postgres') {
      const schemas = await database.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = $1`, [schema]);
      expect(schemas).toEqual([]);
    }
  });
});
