import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { FileLoader } from '../../src/loaders/file/file-loader.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import type { Principal } from '../../src/service/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
let systemDir: string;
let systemFiles: FileLoader;
let service: MetadataService;

beforeAll(async () => {
  database = await createTestDatabase('service_access');
  store = await database.open();
  systemDir = await mkdtemp(join(tmpdir(), 'metaledger-system-'));
  systemFiles = new FileLoader({ root: systemDir });
  service = createMetadataService({ store, systemDir });
});
afterAll(async () => {
  await database.dispose();
  await rm(systemDir, { recursive: true, force: true });
});

const alice: Principal = { id: 'alice', roles: ['editor'] };
const root: Principal = { id: 'root', roles: ['admin'] };

type Operation = 'read' | 'create' | 'update' | 'delete';
type Target = 'system' | 'system+allowSystem' | 'platform' | 'user (own)' | 'user (another’s)';

interface Cell {
  target: Target;
  principal: Principal;
  operation: Operation;
  allowed: boolean;
}

/** The protocol's rules, written out cell by cell. */
function expected(target: Target, principal: Principal, operation: Operation): boolean {
  const admin = principal.roles.includes('admin');
  if (operation === 'read') return target !== 'user (another’s)' || admin;
  if (target === 'system') return false;
  if (target === 'system+allowSystem' || target === 'platform' || target === 'user (another’s)') return admin;
  return true;
}

const targets: Target[] = ['system', 'system+allowSystem', 'platform', 'user (own)', 'user (another’s)'];
const operations: Operation[] = ['read', 'create', 'update', 'delete'];
const cells: Cell[] = targets.flatMap((target) =>
  [alice, root].flatMap((principal) =>
    operations
      .filter((operation) => !(target === 'system+allowSystem' && operation === 'read'))
      .map((operation) => ({ target, principal, operation, allowed: expected(target, principal, operation) })),
  ),
);

const scopeOf = (target: Target) => (target.startsWith('system') ? 'system' : target.startsWith('user') ? 'user' : 'platform');
const ownerOf = (target: Target, principal: Principal) =>
  target === 'user (own)' ? principal.id : target === 'user (another’s)' ? 'bob' : undefined;
const nameOf = (cell: Cell) => `${cell.target.toLowerCase().replace(/[^a-z]+/g, '-')}-${cell.principal.id}-${cell.operation}`;

/** Puts the item in place the trusted way (files for system items, the store for the others). */
async function seed(cell: Cell, name: string): Promise<void> {
  const record = { name, scope: scopeOf(cell.target), owner: ownerOf(cell.target, cell.principal), metadata: { v: 1 } } as const;
  if (record.scope === 'system') await systemFiles.save('object', record);
  else await store.save('object', record);
}

/** The item as its backend holds it, read without the service: the file's bytes, or the log's events. */
async function backendState(cell: Cell, name: string): Promise<unknown> {
  if (scopeOf(cell.target) === 'system') return readFile(join(systemDir, 'object', `${name}.json`), 'utf8').catch(() => null);
  return database.query(`SELECT version, kind, patch FROM metadata_events WHERE type = 'object' AND name = $1 ORDER BY version`, [name]);
}

async function perform(cell: Cell, name: string) {
  const { principal } = cell;
  const allowSystem = cell.target === 'system+allowSystem';
  const record = { name, scope: scopeOf(cell.target), owner: ownerOf(cell.target, principal), metadata: { v: 2 } } as const;
  if (cell.operation === 'read') return service.get('object', name, { principal });
  if (cell.operation === 'delete') return service.unregister('object', name, { principal, allowSystem });
  return service.register('object', record, { principal, allowSystem });
}

describe('scope × role × operation', () => {
  it.each(
    cells.map(
      (cell) => [`${cell.operation} ${cell.target} as ${cell.principal.id}: ${cell.allowed ? 'allowed' : 'refused'}`, cell] as const,
    ),
  )('%s', async (_title, cell) => {
    const name = nameOf(cell);
    if (cell.operation !== 'create') await seed(cell, name);
    const before = await backendState(cell, name);
    const refusalsBefore = (await service.refusals({ principal: cell.principal.id, limit: 1000 })).length;
    if (cell.allowed) {
      const result = await perform(cell, name);
      const after = await service.get('object', name, { principal: root, cache: false });
      if (cell.operation === 'read') expect(result).toMatchObject({ name, metadata: { v: 1 } });
      if (cell.operation === 'delete') expect(after).toBeNull();
      if (cell.operation === 'create' || cell.operation === 'update')
        expect(after).toMatchObject({ name, scope: scopeOf(cell.target), metadata: { v: 2 } });
    } else {
      await expect(perform(cell, name)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403, operation: cell.operation });
      expect(await backendState(cell, name)).toEqual(before);
      const refusals = await service.refusals({ principal: cell.principal.id, limit: 1000 });
      expect(refusals).toHaveLength(refusalsBefore + 1);
      expect(refusals.at(-1)).toMatchObject({
        principal: cell.principal.id,
        roles: cell.principal.roles,
        operation: cell.operation,
        type: 'object',
        name,
        scope: scopeOf(cell.target),
        source: 'api',
      });
    }
  });

  it('covers every cell: 5 targets × 2 roles × 4 operations, less reads of the allowSystem variant', () => {
    expect(cells).toHaveLength(38);
    expect(cells.filter((cell) => !cell.allowed)).toHaveLength(16);
  });
});

describe('access rules beyond single calls', () => {
  it('a call without a principal is anonymous: it reads shared items and changes nothing', async () => {
    await store.save('object', { name: 'shared', metadata: { v: 1 } });
    expect(await service.get('object', 'shared')).toMatchObject({ name: 'shared' });
    await expect(service.register('object', { name: 'shared', metadata: { v: 2 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await service.refusals({ principal: 'anonymous' })).at(-1)).toMatchObject({ operation: 'update', name: 'shared' });
  });

  it('a user item gets its author as owner, and its owner cannot promote it to platform', async () => {
    await service.register('dashboard', { name: 'alice-home', scope: 'user', metadata: { tiles: 2 } }, { principal: alice });
    expect(await service.get('dashboard', 'alice-home', { principal: alice })).toMatchObject({ owner: 'alice', scope: 'user' });
    // an update that does not restate scope and owner keeps them, so the owner may make it
    await service.register('dashboard', { name: 'alice-home', metadata: { tiles: 3 } }, { principal: alice });
    await expect(
      service.register('dashboard', { name: 'alice-home', scope: 'platform', metadata: {} }, { principal: alice }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', operation: 'update' });
    await expect(
      service.register('dashboard', { name: 'alice-home', owner: 'bob', metadata: {} }, { principal: alice }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await service.get('dashboard', 'alice-home', { principal: root })).toMatchObject({
      owner: 'alice',
      scope: 'user',
      metadata: { tiles: 3 },
    });
  });

  it('lists only what the principal may see, and refuses listing another owner’s items', async () => {
    await store.save('report', { name: 'alice-r', scope: 'user', owner: 'alice', metadata: {} });
    await store.save('report', { name: 'bob-r', scope: 'user', owner: 'bob', metadata: {} });
    await store.save('report', { name: 'team-r', scope: 'platform', metadata: {} });
    await systemFiles.save('report', { name: 'core-r', scope: 'system', metadata: {} });
    const names = async (principal: Principal, filters = {}) =>
      (await service.list('report', { principal, filters })).map((record) => record.name);
    expect(await names(alice)).toEqual(['alice-r', 'core-r', 'team-r']);
    expect(await names(root)).toEqual(['alice-r', 'bob-r', 'core-r', 'team-r']);
    expect(await names(root, { owner: 'bob' })).toEqual(['bob-r']);
    await expect(names(alice, { owner: 'bob' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.get('report', 'alice-r', { principal: alice, owner: 'bob' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a name taken in another loader is a conflict, not a silent shadow', async () => {
    await systemFiles.save('object', { name: 'core', scope: 'system', metadata: {} });
    await expect(service.register('object', { name: 'core', scope: 'platform', metadata: {} }, { principal: root })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await store.load('object', 'core')).data).toBeNull();
  });
});
