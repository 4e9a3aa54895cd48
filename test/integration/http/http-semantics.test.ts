import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_semantics', {
    maxBodyBytes: 4096,
    requestTimeoutMs: 500,
    cors: { origins: ['https://studio.example.com'] },
  });
  await server.store.save('object', { name: 'account', metadata: { label: 'Account' } });
});
afterAll(async () => server?.close());

/** A raw request line and headers, for what fetch refuses to send (bad encodings, slow bodies). */
function rawRequest(text: string, options: { keepOpen?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (!options.keepOpen && answer.includes('\r\n\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await response.json()).toMatchObject({ status, code });
}

describe('conditional requests', () => {
  it('gives ETags, answers If-None-Match with 304, and makes If-Match / If-None-Match writes 412 when stale', async () => {
    const get = await server.call('/api/v1/records/object/account');
    expect(get.headers.get('etag')).toBe('"v1"');
    expect((await server.call('/api/v1/records/object/account', { headers: { 'if-none-match': '"v1"' } })).status).toBe(304);
    expect((await server.call('/api/v1/records/object/account', { headers: { 'if-none-match': '"v0", W/"v1"' } })).status).toBe(304);
    expect((await server.call('/api/v1/records/object/account', { headers: { 'if-none-match': '"v7"' } })).status).toBe(200);
    const put = (ifMatch: Record<string, string>, label: string) =>
      server.call('/api/v1/records/object/account', { method: 'PUT', body: { metadata: { label } }, headers: ifMatch });
    await expectProblem(await put({ 'if-match': '"v9"' }, 'stale'), 412, 'CONFLICT');
    await expectProblem(await put({ 'if-none-match': '*' }, 'exists'), 412, 'CONFLICT');
    await expectProblem(await put({ 'if-match': '"v0", "v9"' }, 'stale'), 412, 'CONFLICT');
    const fresh = await put({ 'if-match': '"v1"' }, 'Customer');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"v2"');
    expect((await put({ 'if-match': '*' }, 'Client')).headers.get('etag')).toBe('"v3"');
    const created = await server.call('/api/v1/records/object/fresh', {
      method: 'PUT',
      body: { metadata: {} },
      headers: { 'if-none-match': '*' },
    });
    expect(created.status).toBe(201);
    await expectProblem(
      await server.call('/api/v1/records/object/fresh', { method: 'DELETE', headers: { 'if-match': '"v5"' } }),
      412,
      'CONFLICT',
    );
    await expectProblem(await put({ 'if-match': 'v3' }, 'unquoted'), 400, 'VALIDATION');
  });

  it('answers a version conflict without a precondition with 409', async () => {
    const response = await server.call('/api/v1/records/object/account?onConflict=error', {
      method: 'PUT',
      body: { metadata: { label: 'again' } },
    });
    await expectProblem(response, 409, 'CONFLICT');
  });

  it('lets concurrent conditional writers race: exactly one wins each version, the rest get 412', async () => {
    await server.store.save('object', { name: 'hot', metadata: { n: 0 } });
    const writers = Array.from({ length: 12 }, (_, n) =>
      server.call('/api/v1/records/object/hot', { method: 'PUT', body: { metadata: { n: n + 1 } }, headers: { 'if-match': '"v1"' } }),
    );
    const statuses = (await Promise.all(writers)).map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(11);
    expect((await server.store.load('object', 'hot')).data?.version).toBe(2);
    // unconditional writers to distinct items all land, each as its own principal's change
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, n) => server.call(`/api/v1/records/object/many_${n}`, { method: 'PUT', body: { metadata: { n } } })),
    );
    expect(many.map((response) => response.status)).toEqual(Array(20).fill(201));
  });
});

describe('refusing what is not valid: 400, 413, 415, 405, 408 — never 500', () => {
  it('refuses malformed JSON, NUL characters, invalid parameters and non-canonical keys with 400', async () => {
    const send = (path: string, body: string, method = 'PUT') =>
      fetch(`${server.url}${path}`, { method, headers: { ...server.as('root'), 'content-type': 'application/json' }, body });
    await expectProblem(await send('/api/v1/records/object/x', '{ nope'), 400, 'VALIDATION');
    await expectProblem(await send('/api/v1/records/object/x', ''), 400, 'VALIDATION'); // a PUT needs its body
    await expectProblem(await send('/api/v1/items/object/account/rollback', '', 'POST'), 400, 'VALIDATION');
    // a DELETE labelled JSON with no body is fine
    expect((await send('/api/v1/records/object/fresh', '', 'DELETE')).status).toBe(200);
    await expectProblem(await send('/api/v1/records/object/x', '{"metadata":{"a":"b\\u0000c"}}'), 400, 'VALIDATION');
    await expectProblem(await send('/api/v1/records/object/x', '{"metadata":{"a\\u0000":1}}'), 400, 'VALIDATION');
    await expectProblem(await send('/api/v1/records/object/x', '{"__proto__":{"polluted":true},"metadata":{}}'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object?limit=many'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object?limit=1&limit=2'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object?colour=blue'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object/%20account'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object/acc%00ount'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/records/object?namespace=a%00b'), 400, 'VALIDATION');
    await expectProblem(await server.call('/api/v1/items/object/account/at?version=1&asOf=2024-01-01T00:00:00Z'), 400, 'VALIDATION');
    expect(
      statusOf(
        await rawRequest(`GET /api/v1/records/object/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.keys.root}\r\n\r\n`),
      ),
    ).toBe(400);
    expect(
      statusOf(
        await rawRequest(
          `GET /api/v1/records/object?namespace=%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.keys.root}\r\n\r\n`,
        ),
      ),
    ).toBe(400);
    expect((await server.store.load('object', 'x')).data).toBeNull();
  });

  it('answers any generated path and query with a status below 500', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('%', '%0', '%zz', '%00', '..', '%2F', ' ', '\u00e9', '%C3%28'));
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (type, name, value) => {
        const path = `/api/v1/items/${encodeURI(type)}/${encodeURI(name)}/at?version=${encodeURI(value)}`;
        const answer = await rawRequest(
          `GET ${path.replace(/[\s#]/g, '_')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.keys.root}\r\n\r\n`,
        );
        expect(statusOf(answer)).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('answers any generated JSON body with a 2xx, or a 4xx that wrote nothing', async () => {
    const events = async () => Number((await server.database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ metadata: fc.jsonValue({ maxDepth: 3 }), scope: fc.string(), state: fc.string() }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('fuzzed', 'account'), async (value, name) => {
        const before = await events();
        const response = await fetch(`${server.url}/api/v1/records/object/${name}`, {
          method: 'PUT',
          headers: { ...server.as('root'), 'content-type': 'application/json' },
          body: JSON.stringify(value),
        });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) expect(await events()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses bodies over --max-body with 413 and other content types with 415', async () => {
    const big = JSON.stringify({ metadata: { blob: 'x'.repeat(5000) } });
    await expectProblem(
      await fetch(`${server.url}/api/v1/records/object/big`, {
        method: 'PUT',
        headers: { ...server.as('root'), 'content-type': 'application/json' },
        body: big,
      }),
      413,
      'VALIDATION',
    );
    await expectProblem(
      await fetch(`${server.url}/api/v1/records/object/txt`, {
        method: 'PUT',
        headers: { ...server.as('root'), 'content-type': 'text/plain' },
        body: 'metadata',
      }),
      415,
      'VALIDATION',
    );
    expect((await server.store.load('object', 'big')).data).toBeNull();
  });

  it('answers an unknown method on a known path with 405 and Allow, an unknown path with 404', async () => {
    const response = await server.call('/api/v1/records/object', { method: 'POST', body: {} });
    await expectProblem(response, 405, 'VALIDATION');
    expect(response.headers.get('allow')).toBe('GET');
    await expectProblem(await server.call('/api/v2/records'), 404, 'NOT_FOUND');
    await expectProblem(await server.call('/api/v1/records/object/missing'), 404, 'NOT_FOUND');
  });

  it('ends a request whose body does not arrive in time with 408', async () => {
    const answer = await rawRequest(
      `PUT /api/v1/records/object/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.keys.root}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"meta`,
      { keepOpen: true },
    );
    expect(statusOf(answer)).toBe(408);
    expect((await server.store.load('object', 'slow')).data).toBeNull();
  });
});

describe('CORS', () => {
  it('answers preflights from configured origins only, exposing ETag', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/v1/records/object/account`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization,if-match,content-type',
        },
      });
    const allowed = await preflight('https://studio.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://studio.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('if-match');
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    const get = await server.call('/api/v1/records/object/account', { headers: { origin: 'https://studio.example.com' } });
    expect(get.headers.get('access-control-expose-headers')).toContain('etag');
  });
});
