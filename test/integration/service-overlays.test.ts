import { mkdtemp, rm } from 'node:fs/promises';
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
let service: MetadataService;

const alice: Principal = { id: 'alice', roles: [] };
const bob: Principal = { id: 'bob', roles: [] };
const root: Principal = { id: 'root', roles: ['admin'] };

beforeAll(async () => {
  database = await createTestDatabase('service_overlays');
  store = await database.open();
  systemDir = await mkdtemp(join(tmpdir(), 'metaledger-overlays-'));
  // system layer: version-controlled files
  await new FileLoader({ root: systemDir }).save('object', {
    name: 'account',
    scope: 'system',
    metadata: {
      label: 'Account',
      fields: { name: { type: 'text', required: true }, industry: { type: 'picklist', options: ['tech', 'retail'] } },
      icon: 'building',
    },
  });
  service = createMetadataService({ store, systemDir });
  // platform layer: the tenant's admin customises the system object
  await service.register(
    'object',
    {
      name: 'account_acme',
      scope: 'platform',
      extends: 'account',
      metadata: { label: 'Client', fields: { industry: { options: ['energy'] }, region: { type: 'text' } } },
    },
    { principal: root },
  );
  // user layer: alice's personal tweaks (a null removes a key)
  await service.register(
    'object',
    { name: 'account_alice', scope: 'user', extends: 'account_acme', metadata: { fields: { name: { hidden: true } }, icon: null } },
    { principal: alice },
  );
});
afterAll(async () => {
  await database.dispose();
  await rm(systemDir, { recursive: true, force: true });
});

const systemMetadata = {
  label: 'Account',
  fields: { name: { type: 'text', required: true }, industry: { type: 'picklist', options: ['tech', 'retail'] } },
  icon: 'building',
};
const platformEffective = {
  label: 'Client',
  fields: { name: { type: 'text', required: true }, industry: { type: 'picklist', options: ['energy'] }, region: { type: 'text' } },
  icon: 'building',
};

describe('overlay resolution across system → platform → user', () => {
  it('merges the three layers for the owner and shows where each came from', async () => {
    const effective = await service.get('object', 'account', { principal: alice, explain: true });
    expect(effective).toMatchObject({ name: 'account', scope: 'system' });
    expect(effective!.metadata).toEqual({
      label: 'Client',
      fields: {
        name: { type: 'text', required: true, hidden: true },
        industry: { type: 'picklist', options: ['energy'] },
        region: { type: 'text' },
      },
    });
    expect(effective!.layers).toEqual([
      { loader: 'system-files', name: 'account', scope: 'system', strategy: 'merge', etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
      { loader: 'database', name: 'account_acme', scope: 'platform', strategy: 'merge', etag: '"v1"', version: 1 },
      { loader: 'database', name: 'account_alice', scope: 'user', strategy: 'merge', etag: '"v1"', version: 1 },
    ]);
    expect(effective!.etag).toMatch(/^"o[0-9a-f]{31}"$/);
  });

  it('applies only the caller’s own user layer; an admin may ask for someone else’s', async () => {
    expect((await service.get('object', 'account', { principal: bob }))!.metadata).toEqual(platformEffective);
    expect((await service.get('object', 'account', { principal: root, owner: 'alice' }))!.metadata.fields).toMatchObject({
      name: { hidden: true },
    });
    await expect(service.get('object', 'account', { principal: bob, owner: 'alice' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('resolves the same effective payload from any item of the chain, and raw skips resolution', async () => {
    const viaPlatform = await service.get('object', 'account_acme', { principal: bob, explain: true });
    expect(viaPlatform).toMatchObject({ name: 'account_acme', scope: 'platform', metadata: platformEffective });
    expect(viaPlatform!.layers!.map((layer) => layer.name)).toEqual(['account', 'account_acme']);
    const raw = await service.get('object', 'account', { principal: alice, raw: true });
    expect(raw!.metadata).toEqual(systemMetadata);
    expect(raw!.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('refuses ifNoneMatch, which it would answer with the record anyway: the caller compares the effective etag', async () => {
    const { etag } = (await service.get('object', 'account', { principal: alice }))!;
    await expect(service.get('object', 'account', { principal: alice, ifNoneMatch: etag })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'ifNoneMatch', message: expect.stringMatching(/compare that etag/) }],
    });
  });

  it('replace makes the override win whole, at any layer', async () => {
    await service.register(
      'form',
      { name: 'base', scope: 'platform', metadata: { sections: ['a', 'b'], title: 'Base' } },
      { principal: root },
    );
    await service.register(
      'form',
      { name: 'mine', scope: 'user', extends: 'base', strategy: 'replace', metadata: { sections: ['z'] } },
      { principal: alice },
    );
    expect((await service.get('form', 'base', { principal: alice }))!.metadata).toEqual({ sections: ['z'] });
    expect((await service.get('form', 'base', { principal: bob }))!.metadata).toEqual({ sections: ['a', 'b'], title: 'Base' });

    // system → platform(replace) → user(merge): the user merges over the replacement, not over the system item
    await new FileLoader({ root: systemDir }).save('layout', { name: 'page', scope: 'system', metadata: { columns: 2, header: true } });
    await service.register(
      'layout',
      { name: 'page_acme', scope: 'platform', extends: 'page', strategy: 'replace', metadata: { columns: 3 } },
      { principal: root },
    );
    await service.register(
      'layout',
      { name: 'page_alice', scope: 'user', extends: 'page_acme', metadata: { dense: true } },
      { principal: alice },
    );
    expect((await service.get('layout', 'page', { principal: alice }))!.metadata).toEqual({ columns: 3, dense: true });
  });

  it('an edit to any layer shows at once and changes the effective etag; archived overlays do not apply', async () => {
    const before = await service.get('object', 'account', { principal: alice });
    await service.register(
      'object',
      { name: 'account_acme', metadata: { label: 'Customer', fields: { industry: { options: ['energy'] }, region: { type: 'text' } } } },
      { principal: root },
    );
    const after = await service.get('object', 'account', { principal: alice });
    expect(after!.metadata.label).toBe('Customer');
    expect(after!.etag).not.toBe(before!.etag);
    await service.register(
      'object',
      { name: 'account_alice', state: 'archived', metadata: { fields: { name: { hidden: true } }, icon: null } },
      { principal: alice },
    );
    expect((await service.get('object', 'account', { principal: alice, explain: true }))!.layers!.map((layer) => layer.name)).toEqual([
      'account',
      'account_acme',
    ]);
  });

  it('a chain that loops or points nowhere is an error naming the items', async () => {
    await store.save('view', { name: 'a', extends: 'b', metadata: {} });
    await store.save('view', { name: 'b', extends: 'a', metadata: {} });
    await expect(service.get('view', 'a', { principal: root })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('a → b → a'),
    });
    await store.save('view', { name: 'orphan', extends: 'gone', metadata: {} });
    await expect(service.get('view', 'orphan', { principal: root })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining("'gone'"),
    });
    expect(await service.get('view', 'never', { principal: root })).toBeNull();
  });
});
