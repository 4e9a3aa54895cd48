import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { refusalReason } from '../../src/service/access-policy.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import { anonymous } from '../../src/service/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { storeState } from './helpers/store-state.js';

let database: TestDatabase;
let store: MetadataStore;
let service: MetadataService;

beforeAll(async () => {
  database = await createTestDatabase('anonymous');
  store = await database.open();
  service = createMetadataService({ store });
  await store.save('object', { name: 'shared', scope: 'platform', metadata: { v: 1 } });
  await store.save('object', { name: 'core', scope: 'system', metadata: { v: 1 } });
  await store.save('object', { name: 'anons', scope: 'user', owner: 'anonymous', metadata: { v: 1 } });
});
afterAll(() => database.dispose());

describe('regression: the anonymous principal changes nothing', () => {
  it('a service call that names no principal cannot create a user item (it would own it as "anonymous")', async () => {
    const before = await storeState(database);
    await expect(service.register('note', { name: 'mine', scope: 'user', metadata: { v: 1 } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      operation: 'create',
    });
    expect({ ...(await storeState(database)), refusals: 0 }).toEqual({ ...before, refusals: 0 });
    expect((await store.load('note', 'mine')).data).toBeNull();
  });

  it('nor update or delete a user item whose owner is "anonymous"', async () => {
    const before = await storeState(database);
    await expect(service.register('object', { name: 'anons', metadata: { v: 2 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.unregister('object', 'anons')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect({ ...(await storeState(database)), refusals: 0 }).toEqual({ ...before, refusals: 0 });
  });

  it('nor read one: user items are private, and anonymous is nobody', async () => {
    await expect(service.get('object', 'anons')).rejects.toMatchObject({ code: 'FORBIDDEN', operation: 'read' });
    expect((await service.list('object')).map((record) => record.name)).toEqual(['core', 'shared']);
  });

  it('reads shared items', async () => {
    expect(await service.get('object', 'shared')).toMatchObject({ metadata: { v: 1 } });
    expect(await service.get('object', 'core')).toMatchObject({ metadata: { v: 1 } });
  });

  it('whatever roles it claims: a principal with the id "anonymous" is anonymous', () => {
    const claims = { id: 'anonymous', roles: ['admin'] };
    expect(refusalReason(claims, 'update', { type: 'object', name: 'shared', scope: 'platform' })).toBeDefined();
    expect(refusalReason(anonymous, 'create', { type: 'note', name: 'n', scope: 'user', owner: 'anonymous' })).toBeDefined();
    expect(refusalReason(anonymous, 'read', { type: 'object', name: 'shared', scope: 'platform' })).toBeUndefined();
  });
});
