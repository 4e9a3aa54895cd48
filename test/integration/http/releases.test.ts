import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_releases');
  await server.store.save('object', { name: 'account', metadata: { label: 'Account' } });
});
afterAll(async () => server?.close());

describe('releases over HTTP', () => {
  it('an admin tags a release; everyone signed in lists tags; the actor is the principal', async () => {
    const refused = await server.call('/api/v1/tags', { as: 'alice', body: { name: 'v1' } });
    expect(refused.status).toBe(403);
    const created = await server.call('/api/v1/tags', { as: 'root', body: { name: 'v1', message: 'first' } });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'v1', actor: 'root', message: 'first' });
    expect((await server.call('/api/v1/tags', { as: 'root', body: { name: 'v1' } })).status).toBe(409);
    expect((await server.call('/api/v1/tags', { as: 'root', body: { name: 'has space' } })).status).toBe(400);
    expect((await server.call('/api/v1/tags', { as: 'root', body: { name: 'v9', actor: 'mallory' } })).status).toBe(400);
    const listed = await server.call('/api/v1/tags', { as: 'alice' });
    expect(((await listed.json()) as { tags: { name: string }[] }).tags.map((tag) => tag.name)).toEqual(['v1']);
  });

  it('an admin reviews what changed between two moments', async () => {
    await server.store.save('object', { name: 'account', metadata: { label: 'Customer' } });
    await server.store.tag('v2');
    const diff = await server.call('/api/v1/diff?from=v1&to=tag:v2', { as: 'root' });
    expect(diff.status, await diff.clone().text()).toBe(200);
    expect(((await diff.json()) as { changes: { name: string; change: string }[] }).changes).toEqual([
      expect.objectContaining({
        name: 'account',
        change: 'modified',
        patch: [{ op: 'replace', path: '/metadata/label', value: 'Customer' }],
      }),
    ]);
    expect((await server.call('/api/v1/diff?from=v1&to=v2', { as: 'alice' })).status).toBe(403);
    expect((await server.call('/api/v1/diff?from=v1&to=nope', { as: 'root' })).status).toBe(404);
    expect((await server.call('/api/v1/diff?from=v1', { as: 'root' })).status).toBe(400);
  });

  it('exports a release: the items as they were at a tag, for what the principal may read', async () => {
    const exported = await server.call('/api/v1/export?types=object&at=tag:v1', { as: 'alice' });
    expect(exported.status, await exported.clone().text()).toBe(200);
    const bundle = (await exported.json()) as { position: number; items: { name: string; metadata: unknown }[] };
    expect(bundle.position).toBe((await server.store.getTag('v1')).position);
    expect(bundle.items).toEqual([expect.objectContaining({ name: 'account', metadata: { label: 'Account' } })]);
    expect((await server.call('/api/v1/export?at=tag:nope', { as: 'alice' })).status).toBe(404);
    expect((await server.call('/api/v1/export?at=not%20a%20moment', { as: 'alice' })).status).toBe(400);
    expect((await server.call('/api/v1/export?at=999999999', { as: 'alice' })).status).toBe(400);
  });
});
