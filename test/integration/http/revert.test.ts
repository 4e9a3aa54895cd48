import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevertResult } from '../../../src/index.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('http_revert');
});
afterAll(async () => server?.close());

const revert = (id: string, body: unknown, as: 'root' | 'alice' | 'bob' | 'anonymous' = 'root') =>
  server.call(`/api/v1/changesets/${id}/revert`, { as, body });

async function saved(name: string, metadata: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  return (await server.store.save('object', { name, metadata, ...extra }, { actor: 'root' })).changesetId!;
}

describe('POST /api/v1/changesets/:id/revert', () => {
  it('plans with dryRun, then reverts as the caller, recording which changeset it reverts', async () => {
    await saved('account', { label: 'Account', size: 1 });
    const change = await saved('account', { label: 'Customer', size: 1 });
    await saved('account', { label: 'Customer', size: 2 });

    const plan = (await (await revert(change, { dryRun: true })).json()) as RevertResult;
    expect(plan).toMatchObject({ dryRun: true, changesetId: change, conflicts: [] });
    expect(plan.items[0].patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Account' }]);
    expect((await server.store.load('object', 'account')).data?.version).toBe(3);

    const response = await revert(change, { reason: 'the rename was wrong' });
    expect(response.status).toBe(200);
    const done = (await response.json()) as RevertResult;
    expect(done.revertChangesetId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.store.load('object', 'account')).data?.metadata).toEqual({ label: 'Account', size: 2 });
    const [event] = (await server.store.history('object', 'account', { limit: 1 })).events;
    expect(event).toMatchObject({ actor: 'root', reason: 'the rename was wrong', source: 'revert', target: { revertOf: change } });

    const twice = await revert(change, {});
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { detail: string }).detail).toContain(`already reverted by changeset ${done.revertChangesetId}`);
  });

  it('answers a conflict with 409 listing the conflicts, and resolves it with onConflict', async () => {
    await saved('lead', { stage: 'new' });
    const change = await saved('lead', { stage: 'open' });
    await saved('lead', { stage: 'won' });
    const response = await revert(change, {});
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { code: string; conflicts: unknown[] };
    expect(problem.code).toBe('CONFLICT');
    expect(problem.conflicts).toEqual([
      expect.objectContaining({ name: 'lead', path: '/metadata/stage', current: 'won', restoring: 'new' }),
    ]);
    expect((await revert(change, { onConflict: 'overwrite' })).status).toBe(200);
    expect((await server.store.load('object', 'lead')).data?.metadata).toEqual({ stage: 'new' });
  });

  it('needs authentication and write access to every item the revert touches, dry run included', async () => {
    const change = await saved('platform-item', { v: 1 });
    expect((await revert(change, { dryRun: true }, 'anonymous')).status).toBe(401);
    const refused = await revert(change, { dryRun: true }, 'alice');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain('alice may not revert changeset');
    expect((await revert(change, {}, 'alice')).status).toBe(403);
    expect((await server.store.load('object', 'platform-item')).data).not.toBeNull();
    const refusals = await server.database.query<{ principal: string; name: string }>(
      `SELECT principal, name FROM metadata_access_refusals WHERE name = 'platform-item'`,
    );
    expect(refusals.length).toBeGreaterThanOrEqual(2);

    // bob's own user item is his to revert
    const own = (await server.store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: { v: 1 } }, { actor: 'bob' }))
      .changesetId!;
    expect((await revert(own, {}, 'bob')).status).toBe(200);
    expect((await server.store.load('object', 'bobs')).data).toBeNull();
  });

  it('refuses what is not a changeset or a revert request', async () => {
    expect((await revert(randomUUID(), {})).status).toBe(404);
    expect((await revert('not-a-uuid', {})).status).toBe(400);
    const change = await saved('options', { v: 1 });
    expect((await revert(change, { onConflict: 'merge' })).status).toBe(400);
    expect((await revert(change, { dryRun: 'yes' })).status).toBe(400);
    expect((await revert(change, { actor: 'mallory' })).status).toBe(400);
    expect((await server.store.load('object', 'options')).data).not.toBeNull();
  });

  it('answers generated requests with a problem document or the plan, never a 500, and writes only a valid revert', async () => {
    const change = await saved('generated', { v: 1 });
    await saved('generated', { v: 2, w: 1 });
    const countEvents = async () => Number((await server.database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);
    const ids = fc.oneof(fc.constant(change), fc.uuid(), fc.string(), fc.constantFrom('%00', '..', '%E0%A4%A'));
    const bodies = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          dryRun: fc.oneof(fc.boolean(), fc.jsonValue()),
          onConflict: fc.oneof(fc.constantFrom('skip', 'overwrite'), fc.jsonValue()),
          reason: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(ids, bodies, async (id, body) => {
        const before = await countEvents();
        const response = await server.call(`/api/v1/changesets/${encodeURIComponent(id)}/revert`, {
          as: 'root',
          body: { dryRun: true, ...(body as object) },
        });
        expect(response.status, await response.clone().text()).toBeLessThan(500);
        const written = (await countEvents()) - before;
        if (written > 0) {
          // only a real revert of the changeset writes: one event, then it is reverted back for the next run
          expect([response.status, id, written]).toEqual([200, change, 1]);
          const { revertChangesetId } = (await response.json()) as RevertResult;
          await server.store.revertChangeset(revertChangesetId!);
        }
      }),
      { numRuns: 100 },
    );
  });
});
