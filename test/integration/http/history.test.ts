import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/index.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';
import { waitFor } from '../../helpers/wait-for.js';

let server: TestServer;
let beforeRename: string;

beforeAll(async () => {
  server = await startTestServer('http_history');
  const { store } = server;
  await store.save(
    'object',
    { name: 'account', namespace: 'crm', metadata: { label: 'Account', fields: { name: { type: 'text' } } } },
    { actor: 'alice', reason: 'first cut' },
  );
  await store.save(
    'object',
    { name: 'account', metadata: { label: 'Customer', fields: { name: { type: 'text' } } } },
    { actor: 'bob', reason: 'rename' },
  );
  await store.save(
    'object',
    { name: 'account', metadata: { label: 'Client', fields: { name: { type: 'text', required: true } } } },
    { actor: 'root', reason: 'require name' },
  );
  beforeRename = (await store.history('object', 'account', { limit: 1, offset: 1 })).events[0].recordedAt;
  await store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: { secret: 1 } }, { actor: 'bob' });
  await store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: { secret: 2 } }, { actor: 'bob' });
});
afterAll(async () => server?.close());

const json = async <T>(response: Response): Promise<T> => {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as T;
};

describe('history over HTTP', () => {
  it("shows an item's timeline with versions, kinds, actors, reasons and changesets", async () => {
    const page = await json<{ events: AuditEvent[]; total: number }>(
      await server.call('/api/v1/items/object/account/history', { as: 'alice' }),
    );
    expect(page.total).toBe(3);
    expect(page.events.map((event) => [event.version, event.kind, event.actor, event.reason])).toEqual([
      [3, 'updated', 'root', 'require name'],
      [2, 'updated', 'bob', 'rename'],
      [1, 'created', 'alice', 'first cut'],
    ]);
    expect(page.events[0].changesetId).toMatch(/^[0-9a-f-]{36}$/);
    const filtered = await json<{ events: AuditEvent[] }>(
      await server.call('/api/v1/items/object/account/history?actor=bob&kinds=updated', { as: 'alice' }),
    );
    expect(filtered.events.map((event) => event.version)).toEqual([2]);
  });

  it('travels in time by version, time and position, and diffs versions and times', async () => {
    const v1 = await json<{ status: string; document: { metadata: { label: string } } }>(
      await server.call('/api/v1/items/object/account/at?version=1'),
    );
    expect(v1).toMatchObject({ status: 'exists', document: { metadata: { label: 'Account' } } });
    const then = await json<{ version: number }>(
      await server.call(`/api/v1/items/object/account/at?asOf=${encodeURIComponent(beforeRename)}`),
    );
    expect(then.version).toBe(2);
    const first = (await server.store.history('object', 'account', { limit: 1, offset: 2 })).events[0];
    expect((await json<{ version: number }>(await server.call(`/api/v1/items/object/account/at?position=${first.position}`))).version).toBe(
      1,
    );
    const diff = await json<{ patch: { op: string; path: string }[]; identical: boolean }>(
      await server.call('/api/v1/items/object/account/diff?from=1&to=3'),
    );
    expect(diff.identical).toBe(false);
    expect(diff.patch.map((op) => op.path).sort()).toEqual(['/metadata/fields/name/required', '/metadata/label']);
    const byTime = await json<{ from: { version: number }; to: { version: number } }>(
      await server.call(`/api/v1/items/object/account/diff?from=${encodeURIComponent(beforeRename)}&to=3`),
    );
    expect([byTime.from.version, byTime.to.version]).toEqual([2, 3]);
    expect((await server.call('/api/v1/items/object/account/at?version=9')).status).toBe(400);
    expect((await server.call('/api/v1/items/object/nothing/history')).status).toBe(404);
  });

  it('blames every value of the current state on the change that set it', async () => {
    const { lines } = await json<{ lines: { pointer: string; actor: string; version: number }[] }>(
      await server.call('/api/v1/items/object/account/blame'),
    );
    const byPointer = Object.fromEntries(lines.map((line) => [line.pointer, [line.actor, line.version]]));
    expect(byPointer['/metadata/label']).toEqual(['root', 3]);
    expect(byPointer['/metadata/fields/name/type']).toEqual(['alice', 1]);
  });

  it("shows nobody a user item's history, state, diff or blame unless it is theirs (or they are admins)", async () => {
    for (const path of ['history', 'at?version=1', 'diff?from=1&to=2', 'blame']) {
      const url = `/api/v1/items/object/bobs/${path}`;
      expect((await server.call(url, { as: 'alice' })).status, url).toBe(403);
      expect((await server.call(url, { as: 'anonymous' })).status, url).toBe(403);
      expect((await server.call(url, { as: 'bob' })).status, url).toBe(200);
      expect((await server.call(url, { as: 'root' })).status, url).toBe(200);
    }
    const refusals = await server.database.query<{ principal: string; source: string }>(
      'SELECT principal, source FROM metadata_access_refusals',
    );
    expect(refusals.filter((refusal) => refusal.principal === 'alice' && refusal.source === 'http').length).toBeGreaterThanOrEqual(4);
  });

  it('leaves events the principal may not read out of the store-wide feed, paged with a cursor', async () => {
    // the feed shows only transactions older than every one running on the server (other files write too)
    const caughtUp = async () =>
      (await server.store.changes({ types: ['object'] })).events.some((e) => e.name === 'bobs' && e.version === 2);
    await waitFor(caughtUp, 'the feed to show the last save');
    const pages: AuditEvent[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await json<{ events: AuditEvent[]; nextCursor: string | null; hasMore: boolean }>(
        await server.call(`/api/v1/changes?limit=2${after ? `&after=${after}` : ''}`, { as: 'alice' }),
      );
      pages.push(page.events);
      after = page.nextCursor ?? undefined;
      if (!page.hasMore) break;
    }
    const seen = pages.flat();
    expect(seen.every((event) => event.name !== 'bobs')).toBe(true);
    expect(seen.filter((event) => event.name === 'account').map((event) => event.version)).toEqual([1, 2, 3]);
    const asBob = await json<{ events: AuditEvent[] }>(await server.call('/api/v1/changes?limit=100', { as: 'bob' }));
    expect(asBob.events.filter((event) => event.name === 'bobs')).toHaveLength(2);
    const byActor = await json<{ events: AuditEvent[] }>(await server.call('/api/v1/changes?actor=root&types=object', { as: 'alice' }));
    expect(byActor.events.map((event) => `${event.name}@${event.version}`)).toEqual(['account@3']);
    expect((await server.call('/api/v1/changes?after=nonsense')).status).toBe(400);
  });
});

describe('rollback and restore over HTTP', () => {
  it('previews a rollback, refuses it to a principal who may not, and makes it as the caller', async () => {
    const preview = await json<{ dryRun: boolean; fromVersion: number; toVersion: number; patch: { path: string }[] }>(
      await server.call('/api/v1/items/object/account/rollback', { as: 'root', body: { toVersion: 1, dryRun: true } }),
    );
    expect(preview).toMatchObject({ dryRun: true, fromVersion: 3, toVersion: 1 });
    expect(preview.patch.map((op) => op.path).sort()).toEqual(['/metadata/fields/name/required', '/metadata/label']);
    expect((await server.store.load('object', 'account')).data?.version).toBe(3);

    const refused = await server.call('/api/v1/items/object/account/rollback', { as: 'alice', body: { toVersion: 1 } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain('alice may not update platform item object/account');
    const stale = await server.call('/api/v1/items/object/account/rollback', {
      as: 'root',
      body: { toVersion: 1 },
      headers: { 'if-match': '"v2"' },
    });
    expect(stale.status).toBe(412);

    const done = await server.call('/api/v1/items/object/account/rollback', {
      as: 'root',
      body: { toVersion: 1, reason: 'undo the rename' },
    });
    expect(done.status).toBe(200);
    expect(done.headers.get('etag')).toBe('"v4"');
    expect(await done.json()).toMatchObject({ dryRun: false, version: 4, toVersion: 1, changed: true });
    const [event] = (await server.store.history('object', 'account', { limit: 1 })).events;
    expect(event).toMatchObject({ kind: 'rolled_back', actor: 'root', reason: 'undo the rename', source: 'rollback' });
    // bob may roll back his own user item
    expect((await server.call('/api/v1/items/object/bobs/rollback', { as: 'bob', body: { toVersion: 1 } })).status).toBe(200);
  });

  it("plans a restore, refuses it whole when any change is not the principal's, and restores one namespace", async () => {
    // a log position, not a time: two saves can share a millisecond
    const [{ position }] = await server.database.query<{ position: string }>('SELECT max(position) AS position FROM metadata_events');
    const moment = Number(position);
    await server.store.save('object', { name: 'account', metadata: { label: 'Later' } }, { actor: 'root' });
    await server.store.save('object', { name: 'lead', namespace: 'crm', metadata: {} }, { actor: 'root' });
    const plan = await json<{ dryRun: boolean; steps: { name: string; action: string }[] }>(
      await server.call('/api/v1/restore', { as: 'root', body: { position: moment, namespace: 'crm', dryRun: true } }),
    );
    expect(plan.dryRun).toBe(true);
    expect(plan.steps.map((step) => `${step.action} ${step.name}`).sort()).toEqual(['delete lead', 'revert account']);
    const refused = await server.call('/api/v1/restore', { as: 'alice', body: { position: moment, namespace: 'crm', dryRun: true } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/alice may not restore this: .*object\/(account|lead)/);
    expect((await server.call('/api/v1/restore', { as: 'alice', body: { position: moment, namespace: 'crm' } })).status).toBe(403);
    expect((await server.store.load('object', 'lead')).data).not.toBeNull();
    const restored = await json<{ changesetId: string; steps: unknown[] }>(
      await server.call('/api/v1/restore', { as: 'root', body: { position: moment, namespace: 'crm', reason: 'back' } }),
    );
    expect(restored.steps).toHaveLength(2);
    expect((await server.store.load('object', 'lead')).data).toBeNull();
    expect((await server.store.load('object', 'account')).data?.metadata).toMatchObject({ label: 'Account' });
    expect((await server.call('/api/v1/restore', { as: 'root', body: { asOf: new Date().toISOString(), position: moment } })).status).toBe(
      400,
    );
  });
});

describe('pruned history over HTTP', () => {
  it('answers a version before the prune cut with 410 HISTORY_PRUNED', async () => {
    // last: pruning cuts the history the tests above read
    await server.store.prune({ before: new Date(Date.now() + 60_000), keepVersions: 1 });
    const response = await server.call('/api/v1/items/object/account/at?version=1');
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ code: 'HISTORY_PRUNED', status: 410 });
    const latest = (await server.store.history('object', 'account', { limit: 1 })).events[0].version;
    expect((await server.call(`/api/v1/items/object/account/at?version=${latest}`)).status).toBe(200);
  });

  it('answers HEAD like GET, credentials checked the same way', async () => {
    expect((await server.call('/api/v1/items/object/account/history', { method: 'HEAD' })).status).toBe(200);
    const closed = await fetch(`${server.url}/api/v1/items/object/account/history`, {
      method: 'HEAD',
      headers: { authorization: 'Bearer nope' },
    });
    expect(closed.status).toBe(401);
  });
});
