import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { Principal } from '../../src/service/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

// A protocol MetadataManagerConfig sets up the service: its directory, loaders, caching and formats.
let database: TestDatabase;
let store: MetadataStore;
let rootDir: string;
const admin: Principal = { id: 'root', roles: ['admin'] };

beforeAll(async () => {
  database = await createTestDatabase('manager_config');
  store = await database.open();
  rootDir = await mkdtemp(join(tmpdir(), 'metaledger-manager-'));
  await mkdir(join(rootDir, 'defs', 'object'), { recursive: true });
  await writeFile(join(rootDir, 'defs', 'object', 'in_yml.yml'), 'scope: system\nmetadata:\n  from: yml\n');
  await writeFile(join(rootDir, 'defs', 'object', 'in_json.json'), JSON.stringify({ scope: 'system', metadata: { from: 'json' } }));
});
afterAll(async () => {
  await database.dispose();
  await rm(rootDir, { recursive: true, force: true });
});

describe('createMetadataService({ manager })', () => {
  it('rootDir / basePath name the system directory, loaders their contracts (protocol inferred), formats the files read', async () => {
    const service = createMetadataService({
      store,
      principal: admin,
      manager: {
        rootDir,
        basePath: 'defs',
        formats: ['yml'],
        loaders: [
          { name: 'definitions', capabilities: { read: true, list: true } },
          { name: 'db', datasourceConfig: { datasource: 'default' }, capabilities: { read: true, write: true, list: true } },
        ],
      },
    });
    const [files, db] = service.loaders;
    expect([files.contract, db.contract]).toMatchObject([
      { name: 'definitions', protocol: 'file:', supportedFormats: ['yml'], capabilities: { write: false } },
      { name: 'db', protocol: 'database:', capabilities: { write: true } },
    ]);
    expect((await service.get('object', 'in_yml'))?.metadata).toEqual({ from: 'yml' });
    // a format left out is not read
    expect(await service.get('object', 'in_json')).toBeNull();
    // the files loader's contract says it cannot write: a system item cannot be registered there
    await expect(
      service.register('object', { name: 'new_system', scope: 'system', metadata: {} }, { allowSystem: true }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/cannot write/),
    });
    await service.register('object', { name: 'platform_item', metadata: {} });
    expect((await db.load('object', 'platform_item')).data?.name).toBe('platform_item');
  });

  it('cache: false reads around every cache', async () => {
    const cached = createMetadataService({ store, principal: admin });
    const uncached = createMetadataService({ store, principal: admin, manager: { cache: false } });
    await cached.register('object', { name: 'read_twice', metadata: {} });
    for (const service of [cached, uncached]) await service.loaders[0].load('object', 'read_twice');
    expect((await cached.loaders[0].load('object', 'read_twice')).fromCache).toBe(true);
    expect((await uncached.loaders[0].load('object', 'read_twice')).fromCache).toBe(false);
  });

  it('a reference configuration parses; what the service cannot honour is refused, each with the reason', () => {
    const error = (() => {
      try {
        createMetadataService({
          store,
          manager: {
            loaders: [{ name: 'fs' }],
            watch: true,
            cache: true,
            basePath: join(rootDir, 'defs'),
            rootDir,
            formats: ['json', 'yaml'],
            watchOptions: { persistent: true },
          },
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({
      code: 'VALIDATION',
      issues: [
        { path: 'watch', message: expect.stringMatching(/nothing to refresh/) },
        { path: 'watchOptions', message: expect.stringMatching(/do not apply/) },
      ],
    });
    for (const [manager, path] of [
      [{ formats: ['ts'] }, 'formats.0'],
      [{ rootDir, loaders: [{ name: 'remote', protocol: 'http:' }] }, 'loaders.0.protocol'],
      [{ rootDir, loaders: [{ name: 'a' }, { name: 'b' }] }, 'loaders.1'],
      [{ loaders: [{ name: 'files' }] }, 'manager.loaders'],
    ] as const) {
      expect(() => createMetadataService({ store, manager: manager as never }), path).toThrow(
        expect.objectContaining({ code: 'VALIDATION', issues: [expect.objectContaining({ path })] }),
      );
    }
  });
});
