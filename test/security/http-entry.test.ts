import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { createMetadataServer, listenMetadataServer } from '../../src/server/create-server.js';
import { createMetadataService } from '../../src/service/create-service.js';
import type { Principal } from '../../src/service/principal.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { nonCanonicalVariants } from './helpers/name-variants.js';
import { storeState } from './helpers/store-state.js';

/**
 * The HTTP entry, driven through createMetadataServer / listenMetadataServer only, so these tests keep
 * holding for whatever server implements that interface.
 */
let database: TestDatabase;
let store: MetadataStore;
let open: { url: string; close(): Promise<void> };
let authenticated: { url: string; close(): Promise<void> };

const alice: Principal = { id: 'alice', roles: ['editor'] };
const root: Principal = { id: 'root', roles: ['admin'] };
/** The test's stand-in for authentication: a header names the principal; none means no principal. */
const byHeader = (request: IncomingMessage) => ({ alice, root })[String(request.headers['x-test-user'])] as Principal;

beforeAll(async () => {
  database = await createTestDatabase('http_entry');
  store = await database.open();
  // `metaledger serve` without --as: no authentication, so every request is anonymous
  open = await listenMetadataServer(createMetadataServer({ service: createMetadataService({ store, source: 'http' }) }));
  authenticated = await listenMetadataServer(
    createMetadataServer({ service: createMetadataService({ store, source: 'http' }), principal: byHeader }),
  );
  await store.save('object', { name: 'account', scope: 'system', metadata: { label: 'Account' } });
  await store.save('object', { name: 'shared', scope: 'platform', metadata: { v: 1 } });
});
afterAll(async () => {
  await open.close();
  await authenticated.close();
  await database.dispose();
});

const path = (type: string, name?: string) =>
  `/metadata/${encodeURIComponent(type)}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

async function send(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as { error?: { code: string; issues?: { path: string }[] } }) : undefined,
  };
}

describe('regression: over HTTP without credentials', () => {
  it('PUT /metadata/object/%20account (If-Match "v1") cannot overwrite the system item \'account\'', async () => {
    const before = await storeState(database);
    const response = await send(
      open.url,
      'PUT',
      path('object', ' account'),
      { scope: 'user', metadata: { label: 'pwned' } },
      {
        'if-match': '"v1"',
      },
    );
    expect(response.status).toBe(400);
    expect(response.body?.error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'name' }] });
    expect(await storeState(database)).toEqual(before);
    expect((await store.load('object', 'account', { cache: false })).data).toMatchObject({ scope: 'system', version: 1 });
  });

  it('the server accepts no write at all: PUT and DELETE are refused, reads of shared items work', async () => {
    const before = await storeState(database);
    const created = await send(open.url, 'PUT', path('note', 'mine'), { scope: 'user', metadata: {} }, { 'if-none-match': '*' });
    const updated = await send(open.url, 'PUT', path('object', 'shared'), { metadata: { v: 2 } });
    const deleted = await send(open.url, 'DELETE', path('object', 'shared'));
    expect([created.status, updated.status, deleted.status]).toEqual([403, 403, 403]);
    expect({ ...(await storeState(database)), refusals: 0 }).toEqual({ ...before, refusals: 0 });
    expect(await send(open.url, 'GET', path('object', 'shared'))).toMatchObject({ status: 200, body: { metadata: { v: 1 } } });
  });
});

describe.each(nonCanonicalVariants)('a name with a $label in the URL', (variant) => {
  it('is refused with 400 VALIDATION for every method and principal, and nothing is written', async () => {
    const name = variant.of('account');
    const before = await storeState(database);
    for (const headers of [{}, { 'x-test-user': 'alice' }, { 'x-test-user': 'root' }] as Record<string, string>[]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { scope: 'platform', metadata: { v: 9 } }],
        ['DELETE', undefined],
      ] as const) {
        const response = await send(authenticated.url, method, path('object', name), body, headers);
        expect({ method, headers, status: response.status, code: response.body?.error?.code }).toEqual({
          method,
          headers,
          status: 400,
          code: 'VALIDATION',
        });
      }
      const listed = await send(authenticated.url, 'GET', path(name), undefined, headers);
      expect(listed.status).toBe(400);
    }
    expect(await storeState(database)).toEqual(before);
  });
});

describe('bodies that are JSON but not a record', () => {
  it.each([
    ['a name that is an object with a toString key', '{"name":{"toString":1},"metadata":{}}'],
    ['a lone surrogate', '{"metadata":{"label":"\\ud800"}}'],
    ['a NUL character', '{"metadata":{"label":"a\\u0000b"}}'],
    ['deep nesting', `{"metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`],
    ['an array', '[1,2]'],
  ])('%s is 400 VALIDATION and writes nothing', async (_label, body) => {
    const before = await storeState(database);
    const response = await send(authenticated.url, 'PUT', path('object', 'body-test'), body, { 'x-test-user': 'root' });
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'VALIDATION' });
    expect(await storeState(database)).toEqual(before);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('a malformed percent-encoding in the path is 400, not 500', async () => {
    const response = await fetch(`${authenticated.url}/metadata/object/%E0%A4%A`, { headers: { 'x-test-user': 'root' } });
    expect(response.status).toBe(400);
  });
});
