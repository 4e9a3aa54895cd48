import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_operations');
  const { store } = server;
  for (let n = 0; n < 5; n++)
    await store.save('object', { name: `item_${n}`, namespace: n % 2 ? 'odd' : 'even', metadata: { rank: n, tags: [`t${n}`] } });
  await store.save('object', { name: 'alices', scope: 'user', owner: 'alice', metadata: { rank: 100 } });
  await store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: { rank: 200 } });
  await store.save('view', { name: 'v1', metadata: {} });
});
afterAll(async () => server?.close());

const json = async <T>(response: Response): Promise<T> => {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as T;
};
const names = (records: { name: string }[]) => records.map((record) => record.name);

describe('records, types and query', () => {
  it('lists and counts only what the principal may read', async () => {
    const { items } = await json<{ items: { name: string }[] }>(await server.call('/api/v1/records/object?namespace=odd', { as: 'alice' }));
    expect(names(items)).toEqual(['item_1', 'item_3']);
    expect(
      names((await json<{ items: { name: string }[] }>(await server.call('/api/v1/records/object?scope=user', { as: 'alice' }))).items),
    ).toEqual(['alices']);
    const types = async (as: 'alice' | 'root' | 'anonymous') =>
      (await json<{ types: { type: string; count: number }[] }>(await server.call('/api/v1/types', { as }))).types;
    expect(await types('alice')).toEqual([
      { type: 'object', count: 6 },
      { type: 'view', count: 1 },
    ]);
    expect((await types('root'))[0]).toEqual({ type: 'object', count: 7 });
    expect((await types('anonymous'))[0]).toEqual({ type: 'object', count: 5 });
  });

  it('queries with filters, custom JSON-path conditions, sort, pagination and select', async () => {
    const result = await json<{ records: { name: string; metadata?: unknown }[]; total: number; hasMore: boolean }>(
      await server.call('/api/v1/query', {
        as: 'alice',
        body: {
          filters: { type: 'object', custom: { rank: { $gte: 1 } } },
          sort: [{ field: 'metadata.rank', order: 'desc' }],
          pagination: { page: 1, pageSize: 2 },
          select: ['name'],
        },
      }),
    );
    expect(result.total).toBe(4); // item_1..item_4: alice's and bob's user items are not shared
    expect(names(result.records)).toEqual(['item_4', 'item_3']);
    expect(result.records[0]).not.toHaveProperty('metadata');
    const own = await json<{ records: { name: string }[] }>(
      await server.call('/api/v1/query', { as: 'alice', body: { filters: { owner: 'alice' } } }),
    );
    expect(names(own.records)).toEqual(['alices']);
    const others = await json<{ records: unknown[] }>(
      await server.call('/api/v1/query', { as: 'alice', body: { filters: { scope: 'user', owner: 'bob' } } }),
    );
    expect(others.records).toEqual([]);
    const admin = await json<{ total: number }>(await server.call('/api/v1/query', { as: 'root', body: { filters: { scope: 'user' } } }));
    expect(admin.total).toBe(2);
    const invalid = await server.call('/api/v1/query', { body: { filters: { custom: { rank: { $between: [1, 2] } } } } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: { path: string }[] }).issues[0].path).toContain('$between');
  });

  it('runs bulk operations as one changeset of the caller, refusing them whole when one record is not theirs', async () => {
    const records = [1, 2, 3].map((n) => ({ type: 'object', name: `bulk_${n}`, metadata: { n } }));
    const refused = await server.call('/api/v1/bulk', { as: 'alice', body: { operation: 'create', records } });
    expect(refused.status).toBe(403);
    expect((await server.store.load('object', 'bulk_1')).data).toBeNull();
    const mine = await server.call('/api/v1/bulk', {
      as: 'alice',
      body: { operation: 'upsert', records: [{ type: 'object', name: 'alices', scope: 'user', owner: 'alice', metadata: { rank: 101 } }] },
    });
    expect(mine.status).toBe(200);
    const result = await json<{ success: boolean; changesetId: string; totals: { created: number } }>(
      await server.call('/api/v1/bulk?reason=seed', { as: 'root', body: { operation: 'create', records } }),
    );
    expect(result).toMatchObject({ success: true, totals: { created: 3 } });
    const changeset = await json<{ events: { actor: string; reason: string }[] }>(
      await server.call(`/api/v1/changes?changeset=${result.changesetId}`),
    );
    expect(changeset.events.map((event) => [event.actor, event.reason])).toEqual(Array(3).fill(['root', 'seed']));
    const deleteOthers = await server.call('/api/v1/bulk', {
      as: 'alice',
      body: { operation: 'delete', records: [{ type: 'object', name: 'bobs' }] },
    });
    expect(deleteOthers.status).toBe(403);
    expect((await server.store.load('object', 'bobs')).data).not.toBeNull();
  });
});

describe('export and import, verify, projections', () => {
  it('exports what the principal may read and imports a bundle in one changeset, dry run first', async () => {
    const bundle = await json<{ format: string; items: { name: string; type: string }[] }>(
      await server.call('/api/v1/export?types=object', { as: 'alice' }),
    );
    expect(bundle.format).toBe('metaledger-export');
    expect(names(bundle.items)).toContain('alices');
    expect(names(bundle.items)).not.toContain('bobs');
    const incoming = [
      { type: 'object', name: 'imported_1', metadata: { from: 'bundle' } },
      { type: 'object', name: 'item_0', metadata: { rank: 0, tags: ['t0'], extra: true } },
    ];
    const dry = await json<{ dryRun: boolean; counts: Record<string, number> }>(
      await server.call('/api/v1/import?dryRun=true', { as: 'root', body: incoming }),
    );
    expect(dry).toMatchObject({ dryRun: true, counts: { create: 1, update: 1 } });
    expect((await server.store.load('object', 'imported_1')).data).toBeNull();
    expect((await server.call('/api/v1/import', { as: 'alice', body: incoming })).status).toBe(403);
    const done = await json<{ changesetId: string; restorePoint: number }>(
      await server.call('/api/v1/import?reason=sync', { as: 'root', body: { items: incoming } }),
    );
    expect(done.changesetId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.store.load('object', 'imported_1')).data?.metadata).toEqual({ from: 'bundle' });
    const invalid = await server.call('/api/v1/import', { as: 'root', body: [{ type: 'object', name: 'bad', metadata: [] }] });
    expect(invalid.status).toBe(400);
  });

  it('verifies the store and rebuilds projections for admins only', async () => {
    expect((await server.call('/api/v1/verify', { as: 'alice', body: {} })).status).toBe(403);
    const report = await json<{ ok: boolean; items: number }>(await server.call('/api/v1/verify', { as: 'root', body: {} }));
    expect(report.ok).toBe(true);
    expect(report.items).toBeGreaterThan(5);
    const { projections } = await json<{ projections: { name: string; lagEvents: number }[] }>(
      await server.call('/api/v1/projections', { as: 'alice' }),
    );
    expect(projections.map((projection) => projection.name)).toContain('framework-metadata');
    expect((await server.call('/api/v1/projections/framework-metadata/rebuild', { as: 'alice', body: {} })).status).toBe(403);
    const rebuilt = await json<{ projection: string; events: number }>(
      await server.call('/api/v1/projections/framework-metadata/rebuild', { as: 'root', body: {} }),
    );
    expect(rebuilt.projection).toBe('framework-metadata');
    expect((await server.call('/api/v1/projections/nothing/rebuild', { as: 'root', body: {} })).status).toBe(404);
  });

  it('serves the overlay-resolved view with its layers, and the raw record', async () => {
    await server.store.save('object', { name: 'base', metadata: { label: 'Base', size: 1 } });
    await server.store.save('object', { name: 'base_alice', scope: 'user', owner: 'alice', extends: 'base', metadata: { label: 'Mine' } });
    const resolved = await json<{ metadata: Record<string, unknown>; layers: unknown[] }>(
      await server.call('/api/v1/records/object/base?explain=true', { as: 'alice' }),
    );
    expect(resolved.metadata).toEqual({ label: 'Mine', size: 1 });
    expect(resolved.layers).toHaveLength(2);
    const raw = await json<{ metadata: Record<string, unknown> }>(
      await server.call('/api/v1/records/object/base?raw=true', { as: 'alice' }),
    );
    expect(raw.metadata).toEqual({ label: 'Base', size: 1 });
    expect(
      (await json<{ metadata: Record<string, unknown> }>(await server.call('/api/v1/records/object/base', { as: 'bob' }))).metadata,
    ).toEqual({ label: 'Base', size: 1 });
  });
});
