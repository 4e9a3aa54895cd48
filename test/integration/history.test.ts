import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { openTransactionElsewhere } from '../helpers/open-transaction.js';
import { backend, createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('history');
  store = await database.open({ snapshotEvery: 5 });
});
afterAll(() => database.dispose());

const lastEventTime = async (name: string) => {
  const [row] = await database.query<{ at: Date }>(`SELECT max(recorded_at) AS at FROM metadata_events WHERE name = $1`, [name]);
  return new Date(row.at);
};

describe('audit trail', () => {
  it('lists an item’s events newest first with who, why, patch and a summary', async () => {
    await store.save(
      'object',
      { name: 'audited', metadata: { fields: { amount: { label: 'Amount' } } } },
      { actor: 'alice', reason: 'create', correlationId: 'req-1' },
    );
    await store.save(
      'object',
      { name: 'audited', metadata: { fields: { amount: { label: 'Total' }, tax: { label: 'Tax' } }, x: 1 } },
      { actor: 'bob', reason: 'rename' },
    );
    await store.save(
      'object',
      { name: 'audited', metadata: { fields: { amount: { label: 'Total' }, tax: { label: 'Tax' } }, x: 2 } },
      { actor: 'alice', reason: 'bump' },
    );
    const page = await store.history('object', 'audited');
    expect(page.total).toBe(3);
    expect(page.hasMore).toBe(false);
    expect(page.events.map((e) => e.version)).toEqual([3, 2, 1]);
    expect(page.events[2]).toMatchObject({ kind: 'created', actor: 'alice', reason: 'create', correlationId: 'req-1', source: 'api' });
    expect(page.events[1].summary).toBe('3 fields changed: /metadata/fields/amount/label, /metadata/fields/tax, /metadata/x');
    expect(page.events[1].patch).toContainEqual({ op: 'replace', path: '/metadata/fields/amount/label', value: 'Total' });
    expect(page.events[0].changesetId).toMatch(/^[0-9a-f-]{36}$/);

    const byAlice = await store.history('object', 'audited', { actor: 'alice' });
    expect(byAlice.events.map((e) => e.version)).toEqual([3, 1]);
    const paged = await store.history('object', 'audited', { limit: 1, offset: 1 });
    expect(paged).toMatchObject({ total: 3, hasMore: true });
    expect(paged.events.map((e) => e.version)).toEqual([2]);
    expect((await store.history('object', 'audited', { kinds: ['created'] })).events.map((e) => e.version)).toEqual([1]);
    await expect(store.history('object', 'never')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.history('object', 'audited', { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.history('object', 'audited', { kinds: ['update' as never] })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('unknown event kind update'),
    });
  });

  it('the store-wide feed pages in commit order with a cursor and filters by actor and type', async () => {
    await store.save('feed', { name: 'a', metadata: { n: 1 } }, { actor: 'carol' });
    await store.save('feed', { name: 'b', metadata: { n: 1 } }, { actor: 'dave' });
    await store.save('feed', { name: 'a', metadata: { n: 2 } }, { actor: 'carol' });
    // the feed only shows transactions older than every running one (in the whole cluster): wait for it
    await waitFor(async () => (await store.changes({ types: ['feed'] })).events.length === 3, 'the feed to show the three saves');
    const first = await store.changes({ types: ['feed'], limit: 2 });
    expect(first.events.map((e) => `${e.name}${e.version}`)).toEqual(['a1', 'b1']);
    expect(first.hasMore).toBe(true);
    const second = await store.changes({ types: ['feed'], limit: 2, after: first.nextCursor! });
    expect(second.events.map((e) => `${e.name}${e.version}`)).toEqual(['a2']);
    expect(second.hasMore).toBe(false);
    expect((await store.changes({ types: ['feed'], actor: 'carol' })).events.map((e) => e.version)).toEqual([1, 2]);
    const since = new Date(Date.now() + 60_000);
    expect((await store.changes({ types: ['feed'], since })).events).toEqual([]);
    await expect(store.changes({ after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it.skipIf(backend === 'pglite')('shows a committed changeset by its id though another transaction holds the feed back', async () => {
    const blocker = await openTransactionElsewhere();
    try {
      const { changesetId } = await store.save('lookup', { name: 'now', metadata: {} }, { actor: 'erin', reason: 'look me up' });
      const page = await store.changes({ changeset: changesetId });
      expect(page.events.map((e) => [e.name, e.actor, e.reason])).toEqual([['now', 'erin', 'look me up']]);
      // the whole feed still stops below the open transaction
      expect((await store.changes({ types: ['lookup'] })).events).toEqual([]);
    } finally {
      await blocker.end();
    }
  });
});

describe('time travel', () => {
  it('reads any version, distinguishing not-yet-created, exists and deleted', async () => {
    const created = await store.save('object', { name: 'traveller', metadata: { step: 1 } });
    for (let step = 2; step <= 12; step++) await store.save('object', { name: 'traveller', metadata: { step } });
    await store.delete('object', 'traveller');
    await store.save('object', { name: 'traveller', metadata: { step: 'reborn' } });
    for (let version = 1; version <= 12; version++) {
      const at = await store.getAt('object', 'traveller', { version });
      expect(at).toMatchObject({ status: 'exists', version, document: { metadata: { step: version } } });
    }
    expect(await store.getAt('object', 'traveller', { version: 0 })).toMatchObject({ status: 'not_yet_created', document: null });
    expect(await store.getAt('object', 'traveller', { version: 13 })).toMatchObject({ status: 'deleted', version: 13, document: null });
    expect(await store.getAt('object', 'traveller', { version: 14 })).toMatchObject({
      status: 'exists',
      document: { metadata: { step: 'reborn' } },
    });
    expect(await store.getAt('object', 'traveller', { position: created.position! - 1 })).toMatchObject({ status: 'not_yet_created' });
    expect(await store.getAt('object', 'traveller', { position: created.position! })).toMatchObject({ status: 'exists', version: 1 });
    expect(await store.getAt('object', 'traveller', { asOf: new Date(0) })).toMatchObject({ status: 'not_yet_created' });
    await expect(store.getAt('object', 'traveller', { version: 99 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.getAt('object', 'traveller', { asOf: 'yesterday' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('keeps a full snapshot every N versions, so a read folds at most N patches', async () => {
    const rows = await database.query<{ version: number; kind: string; has_snapshot: boolean }>(
      `SELECT version, kind, snapshot IS NOT NULL AS has_snapshot FROM metadata_events WHERE name = 'traveller' ORDER BY version`,
    );
    const withSnapshot = rows.filter((r) => r.has_snapshot).map((r) => r.version);
    // created, every 5th, the delete (state it removed), the re-create
    expect(withSnapshot).toEqual([1, 5, 10, 13, 14]);
  });

  it('a timestamp exactly on an event’s time includes that event', async () => {
    await store.save('object', { name: 'clock', metadata: { tick: 1 } });
    await sleep(20);
    await store.save('object', { name: 'clock', metadata: { tick: 2 } });
    const [first, second] = await database.query<{ recorded_at: Date }>(
      `SELECT recorded_at FROM metadata_events WHERE name = 'clock' ORDER BY version`,
    );
    expect(await store.getAt('object', 'clock', { asOf: first.recorded_at })).toMatchObject({
      version: 1,
      document: { metadata: { tick: 1 } },
    });
    expect(await store.getAt('object', 'clock', { asOf: new Date(new Date(second.recorded_at).getTime() - 1) })).toMatchObject({
      version: 1,
    });
    expect(await store.getAt('object', 'clock', { asOf: second.recorded_at })).toMatchObject({ version: 2 });
  });

  it('streams the whole store as it was', async () => {
    const moment = await lastEventTime('clock');
    await store.save('object', { name: 'later', metadata: {} });
    const items = [];
    for await (const item of store.snapshotAt({ asOf: moment, types: ['object'], pageSize: 2 })) items.push(`${item.name}@${item.version}`);
    expect(items.sort()).toEqual(['audited@3', 'clock@2', 'traveller@14'].sort());
  });
});

describe('diff and blame', () => {
  it('diffs two versions or two timestamps, and says identical when equal', async () => {
    const diff = await store.diff('object', 'audited', 1, 3);
    expect(diff.identical).toBe(false);
    expect(diff.patch).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/metadata/fields/amount/label', value: 'Total' },
        { op: 'add', path: '/metadata/x', value: 2 },
      ]),
    );
    expect(diff.summary).toMatch(/fields changed/);
    expect((await store.diff('object', 'audited', 3, 3)).identical).toBe(true);
    const byTime = await store.diff('object', 'audited', new Date(0), await lastEventTime('audited'));
    expect(byTime.from.status).toBe('not_yet_created');
    expect(byTime.to).toMatchObject({ status: 'exists', version: 3 });
  });

  it('blames each leaf on the change that last set it', async () => {
    const lines = await store.blame('object', 'audited');
    const of = (pointer: string) => lines.find((l) => l.pointer === pointer);
    expect(of('/metadata/fields/amount/label')).toMatchObject({ value: 'Total', version: 2, actor: 'bob', reason: 'rename' });
    expect(of('/metadata/x')).toMatchObject({ value: 2, version: 3, actor: 'alice', reason: 'bump' });
    expect(of('/name')).toMatchObject({ value: 'audited', version: 1, actor: 'alice' });
  });
});

describe('rollback', () => {
  it('makes the item what it was, as a new rolled_back event pointing at the target', async () => {
    const result = await store.rollback('object', 'audited', 1, { actor: 'erin', reason: 'bad rename' });
    expect(result).toMatchObject({ version: 4, toVersion: 1, changed: true });
    expect((await store.load('object', 'audited')).data).toMatchObject({
      version: 4,
      metadata: { fields: { amount: { label: 'Amount' } } },
    });
    const [latest] = (await store.history('object', 'audited', { limit: 1 })).events;
    expect(latest).toMatchObject({
      kind: 'rolled_back',
      actor: 'erin',
      source: 'rollback',
      target: { rollbackTo: { type: 'object', name: 'audited', version: 1 } },
    });
    expect(latest.summary).toMatch(/^rolled back to version 1/);
    expect((await store.history('object', 'audited')).total).toBe(4);
  });

  it('brings a deleted item back when rolled back to before the delete', async () => {
    await store.save('object', { name: 'phoenix', metadata: { alive: true } });
    await store.delete('object', 'phoenix');
    expect(await store.exists('object', 'phoenix')).toBe(false);
    await store.rollback('object', 'phoenix', 1);
    expect((await store.load('object', 'phoenix')).data).toMatchObject({ version: 3, metadata: { alive: true } });
  });

  it('honours expectedVersion', async () => {
    await expect(store.rollback('object', 'phoenix', 1, { expectedVersion: 2 })).rejects.toMatchObject({
      code: 'CONFLICT',
      actualVersion: 3,
    });
  });
});

describe('restore', () => {
  it('reverts modified, recreates deleted and deletes created items in one changeset; dryRun writes nothing', async () => {
    await store.save('restorable', { name: 'kept', namespace: 'r', metadata: { v: 1 } });
    await store.save('restorable', { name: 'modified', namespace: 'r', metadata: { v: 1 } });
    await store.save('restorable', { name: 'removed', namespace: 'r', metadata: { v: 1 } });
    const moment = await lastEventTime('removed');
    await sleep(10);
    await store.save('restorable', { name: 'modified', metadata: { v: 2 } });
    await store.delete('restorable', 'removed');
    await store.save('restorable', { name: 'added', namespace: 'r', metadata: { v: 1 } });
    await store.load('restorable', 'modified'); // cached, must be invalidated by the restore

    const eventsBefore = await database.query(`SELECT count(*)::int AS n FROM metadata_events`);
    const plan = await store.restore({ asOf: moment, types: ['restorable'], dryRun: true });
    expect(plan.steps.map((s) => `${s.action}:${s.name}`).sort()).toEqual(['delete:added', 'recreate:removed', 'revert:modified']);
    expect(plan.steps.find((s) => s.name === 'modified')?.patch).toEqual([{ op: 'replace', path: '/metadata/v', value: 1 }]);
    expect(await database.query(`SELECT count(*)::int AS n FROM metadata_events`)).toEqual(eventsBefore);

    const done = await store.restore({ asOf: moment, types: ['restorable'], actor: 'ops', reason: 'incident 42' });
    expect(done.changesetId).toBeDefined();
    expect((await store.load('restorable', 'modified')).data?.metadata).toEqual({ v: 1 });
    expect((await store.load('restorable', 'removed')).data?.metadata).toEqual({ v: 1 });
    expect(await store.exists('restorable', 'added')).toBe(false);
    const [changeset] = await database.query<{ event_count: number; source: string; actor: string }>(
      `SELECT event_count, source, actor FROM metadata_changesets WHERE id = $1`,
      [done.changesetId],
    );
    expect(changeset).toEqual({ event_count: 3, source: 'restore', actor: 'ops' });
    expect((await store.history('restorable', 'modified', { limit: 1 })).events[0].kind).toBe('restored');
  });

  it('restricts a restore to a namespace', async () => {
    await store.save('scoped', { name: 'in_a', namespace: 'a', metadata: { v: 1 } });
    await store.save('scoped', { name: 'in_b', namespace: 'b', metadata: { v: 1 } });
    const moment = await lastEventTime('in_b');
    await sleep(10);
    await store.save('scoped', { name: 'in_a', metadata: { v: 2 } });
    await store.save('scoped', { name: 'in_b', metadata: { v: 2 } });
    const plan = await store.restore({ asOf: moment, namespace: 'a' });
    expect(plan.steps.map((s) => s.name)).toEqual(['in_a']);
    expect((await store.load('scoped', 'in_a')).data?.metadata).toEqual({ v: 1 });
    expect((await store.load('scoped', 'in_b')).data?.metadata).toEqual({ v: 2 });
  });

  it('refuses a position inside a changeset; its boundaries are fine', async () => {
    const [changeset] = await database.query<{ first: number; last: number }>(
      `SELECT min(position)::int AS first, max(position)::int AS last FROM metadata_events GROUP BY changeset_id HAVING count(*) > 1 ORDER BY 1 LIMIT 1`,
    );
    await expect(store.restore({ position: changeset.first, types: ['restorable'], dryRun: true })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('falls inside changeset'),
    });
    await expect(store.restore({ position: changeset.last, types: ['restorable'], dryRun: true })).resolves.toMatchObject({ dryRun: true });
  });

  it('concurrent writes during a restore: restore and writes serialize, nothing is lost or half-applied', async () => {
    for (let i = 0; i < 10; i++) await store.save('busy', { name: `b${i}`, metadata: { n: 0 } });
    const moment = await lastEventTime('b9');
    await sleep(10);
    for (let i = 0; i < 10; i++) await store.save('busy', { name: `b${i}`, metadata: { n: 1 } });
    const writes = Array.from({ length: 10 }, (_, i) =>
      store.update('busy', `b${i}`, (c) => ({ ...c, metadata: { n: (c.metadata.n as number) + 100 } })),
    );
    const restored = store.restore({ asOf: moment, types: ['busy'] });
    await Promise.all([...writes, restored]);
    const report = await store.verify();
    expect(report.problems).toEqual([]);
    for (let i = 0; i < 10; i++) {
      const history = (await store.history('busy', `b${i}`, { limit: 100 })).events;
      const versions = history.map((e) => e.version).reverse();
      expect(versions).toEqual(versions.map((_, index) => index + 1));
      // the increment and the restore both happened, in some order: restore last gives 0 (reverted),
      // increment last gives 100 (applied on the restored 0); anything else lost a write
      expect(history.some((e) => e.kind === 'restored')).toBe(true);
      const current = (await store.load('busy', `b${i}`, { cache: false })).data!.metadata.n;
      expect([0, 100]).toContain(current);
    }
  });
});

describe('integrity', () => {
  it('verifies a clean log', async () => {
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.events).toBeGreaterThan(20);
  });

  it('reports an edited event, a removed event, a reordered pair and a drifted projection row', async () => {
    for (let i = 1; i <= 4; i++) await store.save('tamper', { name: 'edited', metadata: { i } });
    for (let i = 1; i <= 4; i++) await store.save('tamper', { name: 'holed', metadata: { i } });
    for (let i = 1; i <= 3; i++) await store.save('tamper', { name: 'swapped', metadata: { i } });
    await database.query(
      `UPDATE metadata_events SET patch = '[{"op":"replace","path":"/metadata/i","value":99}]' WHERE name = 'edited' AND version = 2`,
    );
    await database.query(`DELETE FROM metadata_events WHERE name = 'holed' AND version = 3`);
    await database.query(`ALTER TABLE metadata_events DROP CONSTRAINT metadata_events_version_check`);
    for (const [from, to] of [
      [2, -1],
      [3, 2],
      [-1, 3],
    ]) {
      await database.query(`UPDATE metadata_events SET version = $2 WHERE name = 'swapped' AND version = $1`, [from, to]);
    }
    await database.query(`UPDATE _framework_metadata SET metadata = '{"i": 42}' WHERE name = 'edited'`);
    await database.query(`INSERT INTO _framework_metadata (id, name, type, metadata) VALUES ('orphan-id', 'orphan', 'tamper', '{}')`);
    const report = await store.verify();
    expect(report.ok).toBe(false);
    const found = report.problems.map((p) => `${p.kind}:${p.name}:${p.version ?? ''}`);
    expect(found).toContain('hash_mismatch:edited:2');
    expect(found).toContain('version_gap:holed:4');
    expect(found).toContain('hash_mismatch:swapped:2');
    expect(found).toContain('hash_mismatch:swapped:3');
    expect(found).toContain('projection_mismatch:edited:4');
    expect(found).toContain('projection_extra_row:orphan:');
    // checked a few items per round (memory holds one round's events), the findings are the same
    const sorted = (problems: typeof report.problems) => problems.map((p) => JSON.stringify(p)).sort();
    for (const itemsPerRound of [1, 2]) {
      const inRounds = await store.verify({ itemsPerRound });
      expect(sorted(inRounds.problems)).toEqual(sorted(report.problems));
      expect(inRounds).toMatchObject({ ok: false, events: report.events, items: report.items });
    }
    await expect(store.verify({ itemsPerRound: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('itemsPerRound'),
    });
    // repair for the following tests (the changesets go too: a changeset missing its events is a finding)
    await database.query(`DELETE FROM metadata_events WHERE type = 'tamper'`);
    await database.query(
      `DELETE FROM metadata_changesets c WHERE NOT EXISTS (SELECT 1 FROM metadata_events e WHERE e.changeset_id = c.id)`,
    );
    await database.query(`DELETE FROM metadata_streams WHERE type = 'tamper'`);
    await database.query(`DELETE FROM _framework_metadata WHERE type = 'tamper'`);
  });
});

describe('snapshot compaction', () => {
  it('adds full states into long stretches without one, and every version still reads the same', async () => {
    const sparse = store; // snapshots every 5 versions
    for (let i = 1; i <= 23; i++) await sparse.save('compact', { name: 'long_chain', metadata: { i, text: `v${i}` } });
    const before = [];
    for (let version = 1; version <= 23; version++) before.push(await sparse.getAt('compact', 'long_chain', { version }));
    const result = await sparse.compactSnapshots({ every: 3 });
    expect(result.snapshots).toBeGreaterThanOrEqual(5);
    const taken = await database.query<{ version: number }>(
      `SELECT m.version FROM metadata_snapshots m JOIN metadata_streams s ON s.item_id = m.item_id WHERE s.name = 'long_chain' ORDER BY m.version`,
    );
    // events 1, 5, 10, 15, 20 carry snapshots; compaction fills every stretch of 3 or more
    expect(taken.map((r) => r.version)).toEqual([4, 8, 13, 18, 23]);
    for (let version = 1; version <= 23; version++)
      expect(await sparse.getAt('compact', 'long_chain', { version })).toEqual(before[version - 1]);
    expect((await sparse.compactSnapshots({ every: 3 })).snapshots).toBe(0);
    expect((await sparse.verify()).problems).toEqual([]);
    await database.query(
      `UPDATE metadata_snapshots m SET document = '{"forged": true}' FROM metadata_streams s WHERE s.item_id = m.item_id AND s.name = 'long_chain' AND m.version = 13`,
    );
    const report = await sparse.verify();
    expect(report.problems.map((p) => `${p.kind}:${p.name}:${p.version}`)).toEqual(['snapshot_mismatch:long_chain:13']);
    await database.query(`DELETE FROM metadata_snapshots`);
  });
});

describe('retention', () => {
  it('prunes old events but keeps every later version readable and the chain verifiable', async () => {
    // events are timed to the millisecond: apart, so "before version 6's time" excludes version 6 only
    for (let i = 1; i <= 8; i++) {
      await store.save('old', { name: 'long', metadata: { i } });
      await sleep(2);
    }
    const [cut] = await database.query<{ recorded_at: Date }>(
      `SELECT recorded_at FROM metadata_events WHERE name = 'long' AND version = 6`,
    );
    const result = await store.prune({ before: cut.recorded_at, keepVersions: 1 });
    expect(result.eventsRemoved).toBeGreaterThanOrEqual(5);
    const versions = await database.query<{ version: number }>(`SELECT version FROM metadata_events WHERE name = 'long' ORDER BY version`);
    expect(versions.map((r) => r.version)).toEqual([6, 7, 8]);
    expect((await store.load('object', 'audited', { cache: false })).data).not.toBeNull();
    expect(await store.getAt('old', 'long', { version: 5 })).toMatchObject({ status: 'exists', document: { metadata: { i: 5 } } });
    expect(await store.getAt('old', 'long', { version: 7 })).toMatchObject({ status: 'exists', document: { metadata: { i: 7 } } });
    const error = await store.getAt('old', 'long', { version: 3 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'HISTORY_PRUNED' });
    expect(error.message).toContain('starts at version 5');
    await expect(store.diff('old', 'long', 2, 8)).rejects.toMatchObject({ code: 'HISTORY_PRUNED' });
    const report = await store.verify();
    expect(report.problems).toEqual([]);
  });
});
