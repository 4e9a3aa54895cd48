import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { HttpLoader } from '../../src/loaders/http/http-loader.js';
import { createMetadataServer, listenMetadataServer } from '../../src/server/create-server.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { MetadataService } from '../../src/service/metadata-service.js';
import type { Principal } from '../../src/service/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
let service: MetadataService;
let server: { url: string; close(): Promise<void> };

const alice: Principal = { id: 'alice', roles: [] };
const root: Principal = { id: 'root', roles: ['admin'] };

beforeAll(async () => {
  database = await createTestDatabase('loader_http');
  store = await database.open();
  service = createMetadataService({ store, source: 'http' });
  // the test's stand-in for real authentication: a header picks the principal
  server = await listenMetadataServer(
    createMetadataServer({ service, principal: (request) => (request.headers['x-test-user'] === 'root' ? root : alice) }),
  );
  await store.save('object', { name: 'account', namespace: 'crm', metadata: { label: 'Account' } });
  await store.save('object', { name: 'lead', namespace: 'sales', metadata: { label: 'Lead' } });
  await store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: {} });
  await store.save('object', { name: 'core', scope: 'system', metadata: {} });
});
afterAll(async () => {
  await server.close();
  await database.dispose();
});

const asRoot = { 'x-test-user': 'root' };

describe('http: loader against a real server on 127.0.0.1', () => {
  it('listens on the loopback interface only', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('reads an item with its version etag and revalidates its cache with If-None-Match', async () => {
    const loader = new HttpLoader({ baseUrl: server.url });
    expect(loader.contract).toMatchObject({ protocol: 'http:', capabilities: { read: true, list: true, write: false, watch: false } });
    const first = await loader.load('object', 'account');
    expect(first).toMatchObject({
      fromCache: false,
      etag: '"v1"',
      data: { name: 'account', namespace: 'crm', metadata: { label: 'Account' }, version: 1 },
    });
    const second = await loader.load('object', 'account');
    expect(second).toMatchObject({ fromCache: true, etag: '"v1"', data: { metadata: { label: 'Account' } } });
    expect(await loader.load('object', 'account', { ifNoneMatch: '"v1"' })).toMatchObject({ data: null, notModified: true });
    await store.save('object', { name: 'account', metadata: { label: 'Customer' } });
    expect(await loader.load('object', 'account')).toMatchObject({
      fromCache: false,
      etag: '"v2"',
      data: { metadata: { label: 'Customer' } },
    });
    expect((await loader.load('object', 'nothing')).data).toBeNull();
  });

  it('lists what the caller may see, filtered', async () => {
    const loader = new HttpLoader({ baseUrl: server.url });
    expect((await loader.list('object')).map((record) => record.name)).toEqual(['account', 'core', 'lead']);
    expect((await loader.list('object', { namespace: 'sales' })).map((record) => record.name)).toEqual(['lead']);
    const admin = new HttpLoader({ baseUrl: server.url, headers: asRoot });
    expect((await admin.list('object', { filters: { owner: 'bob' } })).map((record) => record.name)).toEqual(['bobs']);
  });

  it('writes only when its contract allows, and the server enforces access and preconditions', async () => {
    const readOnly = new HttpLoader({ baseUrl: server.url, headers: asRoot });
    await expect(readOnly.save('object', { name: 'new', metadata: {} })).rejects.toMatchObject({ code: 'VALIDATION' });

    const admin = new HttpLoader({ baseUrl: server.url, headers: asRoot, capabilities: { write: true } });
    expect(await admin.save('object', { name: 'new', metadata: { n: 1 } })).toMatchObject({
      success: true,
      created: true,
      version: 1,
      etag: '"v1"',
    });
    await expect(admin.save('object', { name: 'new', metadata: { n: 2 } }, { expectedEtag: '"v9"' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(admin.save('object', { name: 'new', metadata: { n: 2 } }, { expectedEtag: null })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await admin.save('object', { name: 'new', metadata: { n: 2 } }, { expectedEtag: '"v1"' })).toMatchObject({ version: 2 });
    await expect(admin.save('object', { name: 'core', scope: 'system', metadata: { hacked: true } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const user = new HttpLoader({ baseUrl: server.url, capabilities: { write: true } });
    await expect(user.save('object', { name: 'new', metadata: { n: 3 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.delete('object', 'new')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await store.load('object', 'new')).data).toMatchObject({ version: 2, metadata: { n: 2 } });
    expect((await store.load('object', 'core')).data?.metadata).toEqual({});
    expect(
      (await service.refusals()).map((refusal) => `${refusal.principal} ${refusal.operation} ${refusal.name} ${refusal.source}`),
    ).toEqual(['root update core http', 'alice update new http', 'alice delete new http']);

    expect(await admin.delete('object', 'new', { expectedEtag: '"v2"' })).toMatchObject({ success: true });
    expect((await store.load('object', 'new')).data).toBeNull();
  });

  it('speaks plain HTTP: status codes, ETag headers and error bodies with issues', async () => {
    const get = await fetch(`${server.url}/api/v1/records/object/lead`);
    expect(get.status).toBe(200);
    expect(get.headers.get('etag')).toBe('"v1"');
    expect((await fetch(`${server.url}/api/v1/records/object/lead`, { headers: { 'if-none-match': '"v1"' } })).status).toBe(304);
    expect((await fetch(`${server.url}/api/v1/records/object/missing`)).status).toBe(404);
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/records/object`, { method: 'POST' })).status).toBe(405);
    const stale = await fetch(`${server.url}/api/v1/records/object/lead`, {
      method: 'PUT',
      headers: { ...asRoot, 'if-match': '"v5"', 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: {} }),
    });
    expect(stale.status).toBe(412);
    const malformed = await fetch(`${server.url}/api/v1/records/object/lead`, {
      method: 'PUT',
      headers: { ...asRoot, 'content-type': 'application/json' },
      body: '{ nope',
    });
    expect(malformed.status).toBe(400);
    const invalid = await fetch(`${server.url}/api/v1/records/object/lead`, {
      method: 'PUT',
      headers: { ...asRoot, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: [], scope: 'galaxy' }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await invalid.json()) as { code: string; issues: { path: string }[] };
    expect(body.code).toBe('VALIDATION');
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['metadata', 'scope']);
    const forbidden = await fetch(`${server.url}/api/v1/records/object/lead`, { method: 'DELETE' });
    expect(forbidden.status).toBe(403);
    expect((await store.load('object', 'lead')).data?.version).toBe(1);
  });
});
