import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt, startTestServer, type TestServer } from '../../helpers/http-server.js';

let open: TestServer;
let closed: TestServer;

beforeAll(async () => {
  open = await startTestServer('http_auth_open');
  closed = await startTestServer('http_auth_closed', { auth: { anonymousReads: false } });
  for (const server of [open, closed]) {
    await server.store.save('object', { name: 'account', metadata: { label: 'Account' } }, { actor: 'seed' });
    await server.store.save('object', { name: 'alices', scope: 'user', owner: 'alice', metadata: { mine: true } }, { actor: 'seed' });
  }
});
afterAll(async () => {
  await open?.close();
  await closed?.close();
});

describe('authentication', () => {
  it('answers the probes and the OpenAPI document without credentials', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect((await fetch(`${closed.url}${path}`)).status, path).toBe(200);
    const ready = (await (await fetch(`${closed.url}/readyz`)).json()) as {
      status: string;
      pendingMigrations: string[];
      projections: { name: string }[];
    };
    expect(ready).toMatchObject({ status: 'ready', pendingMigrations: [] });
    expect(ready.projections.map((projection) => projection.name)).toContain('framework-metadata');
  });

  it('names the principal of an API key and of a JWT', async () => {
    expect(await (await open.call('/api/v1/me', { as: 'alice' })).json()).toEqual({ id: 'alice', roles: [], authenticated: true });
    const token = await signJwt({ sub: 'carol', roles: ['admin'] });
    const me = await fetch(`${open.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ id: 'carol', roles: ['admin'], authenticated: true });
    const spaced = await signJwt({ sub: 'dave', roles: 'editor admin' });
    expect(await (await fetch(`${open.url}/api/v1/me`, { headers: { authorization: `Bearer ${spaced}` } })).json()).toMatchObject({
      roles: ['editor', 'admin'],
    });
  });

  it('refuses bad credentials with 401, a problem body and WWW-Authenticate, whatever the route', async () => {
    const forged = await signJwt({ sub: 'mallory', roles: ['admin'] }, { secret: 'another-secret-that-is-long-enough-too!!' });
    const expired = await signJwt({ sub: 'carol', roles: ['admin'] }, { expiresIn: '-10m' });
    const cases = [
      'Bearer mlk_not-a-key',
      `Bearer ${forged}`,
      `Bearer ${expired}`,
      'Basic YWxpY2U6c2VjcmV0',
      'Bearer',
      `Bearer ${open.keys.alice}x`,
    ];
    for (const authorization of cases) {
      const response = await fetch(`${open.url}/api/v1/records/object/account`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metaledger"');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await response.json()) as { code: string; detail: string };
      expect(body.code).toBe('UNAUTHENTICATED');
      expect(body.detail).not.toContain(open.keys.alice);
    }
  });

  it('lets anonymous requests read shared items only where the operator allows it', async () => {
    expect((await open.call('/api/v1/records/object/account', { as: 'anonymous' })).status).toBe(200);
    expect((await open.call('/api/v1/records/object/alices', { as: 'anonymous' })).status).toBe(403);
    expect((await closed.call('/api/v1/records/object/account', { as: 'anonymous' })).status).toBe(401);
    expect((await closed.call('/api/v1/changes', { as: 'anonymous' })).status).toBe(401);
    expect((await closed.call('/api/v1/records/object/account', { as: 'alice' })).status).toBe(200);
  });

  it('never lets an unauthenticated request change anything (401), and tells 403 from 401', async () => {
    const writes: [string, string, unknown][] = [
      ['PUT', '/api/v1/records/object/account', { metadata: { label: 'hacked' } }],
      ['DELETE', '/api/v1/records/object/account', undefined],
      ['POST', '/api/v1/bulk', { operation: 'create', records: [{ type: 'object', name: 'x', metadata: {} }] }],
      ['POST', '/api/v1/items/object/account/rollback', { toVersion: 1 }],
      ['POST', '/api/v1/restore', { position: 0 }],
      ['POST', '/api/v1/import', [{ type: 'object', name: 'y', metadata: {} }]],
      ['POST', '/api/v1/projections/framework-metadata/rebuild', {}],
    ];
    for (const [method, path, body] of writes) {
      const response = await open.call(path, { as: 'anonymous', method, body });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    // alice is known but may not change a platform item
    const forbidden = await open.call('/api/v1/records/object/account', {
      as: 'alice',
      method: 'PUT',
      body: { metadata: { label: 'mine now' } },
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect((await open.store.load('object', 'account')).data).toMatchObject({ version: 1, metadata: { label: 'Account' } });
  });

  it('records the principal as the actor: the store decides, not the client', async () => {
    const response = await open.call('/api/v1/records/object/account?reason=relabel', {
      as: 'root',
      method: 'PUT',
      body: { metadata: { label: 'Customer' }, createdBy: 'mallory', updatedBy: 'mallory' },
      headers: { 'x-actor': 'mallory', 'x-correlation-id': 'req-42' },
    });
    expect(response.status).toBe(200);
    const [event] = (await open.store.history('object', 'account', { limit: 1 })).events;
    expect(event).toMatchObject({ actor: 'root', reason: 'relabel', correlationId: 'req-42', source: 'http' });
    const viaJwt = await fetch(`${open.url}/api/v1/records/object/account`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await signJwt({ sub: 'carol', roles: ['admin'] })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { label: 'Client' } }),
    });
    expect(viaJwt.status).toBe(200);
    expect((await open.store.history('object', 'account', { limit: 1 })).events[0].actor).toBe('carol');
  });
});
