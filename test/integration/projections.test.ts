import { CompiledQuery } from 'kysely';
import { internalsOf } from '../../src/store/metadata-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionInfoProjection } from '../../projections/collection-info.js';
import { actorActivityProjection } from '../../projections/actor-activity.js';
import type { MetadataStore } from '../../src/index.js';
import { nextEvent } from '../../src/events/next-event.js';
import { readStreamHead } from '../../src/events/read-stream-head.js';
import { countingProjection } from '../helpers/counting-projection.js';
import { openTransactionElsewhere } from '../helpers/open-transaction.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';
import { backend, createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
const counting = countingProjection();

beforeAll(async () => {
  database = await createTestDatabase('projections');
  store = await database.open({
    projections: {
      definitions: [collectionInfoProjection, actorActivityProjection, counting],
      jobs: false,
      batchSize: 7,
      debounceMs: 60_000,
    },
  });
});
afterAll(() => database.dispose());

const countedPositions = async () =>
  (await database.query<{ position: number }>('SELECT position FROM counting_events ORDER BY position')).map((r) => Number(r.position));
const allPositions = async () =>
  (await database.query<{ position: number }>('SELECT position FROM metadata_events ORDER BY position')).map((r) => Number(r.position));

describe('async projections', () => {
  it('catch up from their checkpoint, in batches, each event once', async () => {
    for (let i = 0; i < 10; i++)
      await store.save(
        'object',
        { name: `o${i}`, namespace: i % 2 ? 'crm' : 'sales', metadata: { i } },
        { actor: i % 3 ? 'alice' : 'bob' },
      );
    await store.save('view', { name: 'v1', metadata: {} }, { actor: 'alice' });
    await store.delete('object', 'o9', { actor: 'bob' });
    const before = await store.projectionStatus();
    expect(before.find((p) => p.name === 'collection-info')).toMatchObject({ mode: 'async', lagEvents: 12 });
    expect(before.find((p) => p.name === 'framework-metadata')).toMatchObject({ mode: 'inline', lagEvents: 0 });

    await catchUpFully(store, 'collection-info');
    await catchUpFully(store, 'actor-activity');
    expect(await catchUpFully(store, 'counting')).toBe(12);
    expect(await store.collectionInfo()).toEqual([
      { type: 'object', count: 9, namespaces: ['crm', 'sales'] },
      { type: 'view', count: 1, namespaces: ['default'] },
    ]);
    const activity = await database.query<{ actor: string; type: string; events: number }>(
      'SELECT actor, type, events::int FROM metadata_actor_activity ORDER BY actor, type',
    );
    expect(activity).toEqual([
      { actor: 'alice', type: 'object', events: 6 },
      { actor: 'alice', type: 'view', events: 1 },
      { actor: 'bob', type: 'object', events: 5 },
    ]);
    expect(await countedPositions()).toEqual(await allPositions());
    const after = await store.projectionStatus();
    expect(after.find((p) => p.name === 'counting')).toMatchObject({ lagEvents: 0, eventsApplied: 12, lastError: null });
  });

  it('a projector that dies mid-batch leaves nothing half-applied and resumes exactly where it was', async () => {
    for (let i = 0; i < 5; i++) await store.save('object', { name: `late${i}`, metadata: {} });
    counting.failNext = true;
    // (a catch-up may find nothing to do while another test file's transaction holds the horizon back)
    const started = Date.now();
    while (counting.failNext && Date.now() - started < 30_000) {
      await store.projections.catchUp('counting').catch((error: Error) => expect(error.message).toBe('projector died mid-batch'));
    }
    expect(counting.failNext).toBe(false);
    const failed = (await store.projectionStatus()).find((p) => p.name === 'counting')!;
    expect(failed).toMatchObject({ lagEvents: 5, lastError: 'projector died mid-batch' });
    expect((await countedPositions()).length).toBe(12);
    await catchUpFully(store, 'counting');
    expect(await countedPositions()).toEqual(await allPositions());
    expect((await store.projectionStatus()).find((p) => p.name === 'counting')?.lastError).toBeNull();
  });

  it('a rebuild replays the whole log into a fresh table, reports progress, and matches the live one', async () => {
    await catchUpFully(store, 'collection-info');
    const live = await store.collectionInfo();
    const progress: string[] = [];
    const result = await store.rebuild('collection-info', { batchSize: 4, onProgress: (p) => progress.push(p.phase) });
    expect(result.events).toBe((await allPositions()).length);
    expect(progress).toContain('replay');
    expect(progress.at(-1)).toBe('done');
    expect(await store.collectionInfo()).toEqual(live);
    const framework = await store.rebuild('framework-metadata');
    expect(framework.events).toBe(result.events);
    expect((await store.verify()).problems).toEqual([]);
    expect((await store.load('object', 'o1', { cache: false })).data).toMatchObject({ version: 1, metadata: { i: 1 }, createdBy: 'alice' });
  });

  it.runIf(backend === 'postgres')('inline writes during a rebuild are not lost', async () => {
    const writes = (async () => {
      for (let i = 0; i < 40; i++) await store.save('object', { name: `during${i % 8}`, metadata: { i } });
    })();
    await Promise.all([
      writes,
      store.rebuild('framework-metadata', { batchSize: 3 }),
      store.rebuild('framework-metadata', { batchSize: 5 }),
    ]);
    const report = await store.verify();
    expect(report.problems).toEqual([]);
    expect((await store.load('object', 'during7', { cache: false })).data?.metadata).toEqual({ i: 39 });
  });

  it.runIf(backend === 'postgres')('never passes a transaction that is still open, and applies it once it commits', async () => {
    const slow = await database.open({ driver: { transaction: { defaultIsolation: 'repeatable_read' } } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let xidTaken!: () => void;
    const holding = new Promise<void>((resolve) => (xidTaken = resolve));
    const slowWrite = internalsOf(slow).commitChangeset({ source: 'api', target: {} }, async (db) => {
      await db.executeQuery(CompiledQuery.raw('SELECT pg_current_xact_id()'));
      xidTaken();
      await gate;
      const head = await readStreamHead(db, 'object', 'slow');
      return {
        result: null,
        events: [
          nextEvent(
            head,
            'object',
            'slow',
            'created',
            {
              id: 'slow',
              type: 'object',
              name: 'slow',
              namespace: 'default',
              scope: 'platform',
              metadata: {},
              strategy: 'merge',
              state: 'active',
            },
            { snapshotEvery: 100 },
          ),
        ],
      };
    });
    const counted = async () =>
      (
        await database.query<{ name: string }>(`SELECT name FROM counting_events WHERE name IN ('slow', 'quick1', 'quick2') ORDER BY name`)
      ).map((r) => r.name);
    try {
      await holding;
      await store.save('object', { name: 'quick1', metadata: {} });
      await store.save('object', { name: 'quick2', metadata: {} });
      await store.projections.catchUp('counting');
      // quick1 and quick2 committed, but after a transaction that is still open: not yet
      expect(await counted()).toEqual([]);
    } finally {
      release();
      await slowWrite;
    }
    await catchUpFully(store, 'counting');
    expect(await counted()).toEqual(['quick1', 'quick2', 'slow']);
    expect(await countedPositions()).toEqual(await allPositions());
    // the slow event has a later position than the quick ones but an earlier transaction: commit order
    const names = await database.query<{ name: string }>('SELECT name FROM metadata_events ORDER BY tx_id DESC, position DESC LIMIT 3');
    expect(names.map((r) => r.name).sort()).toEqual(['quick1', 'quick2', 'slow']);
  });
});

describe('inline mode for any projection', () => {
  it('an inline projection commits with the append (read-your-writes)', async () => {
    const other = await createTestDatabase('projections_inline');
    try {
      const inline = await other.open({
        projections: { definitions: [collectionInfoProjection], modes: { 'collection-info': 'inline' }, jobs: false },
      });
      await inline.save('object', { name: 'a', namespace: 'x', metadata: {} });
      await inline.save('object', { name: 'b', namespace: 'y', metadata: {} });
      await inline.delete('object', 'a');
      expect(await inline.collectionInfo()).toEqual([{ type: 'object', count: 1, namespaces: ['y'] }]);
      expect((await inline.projectionStatus()).find((p) => p.name === 'collection-info')?.mode).toBe('inline');
    } finally {
      await other.dispose();
    }
  });

  it('framework-metadata can run async: the projection follows the log after a catch-up', async () => {
    const other = await createTestDatabase('projections_fm_async');
    try {
      const lagging = await other.open({ projections: { modes: { 'framework-metadata': 'async' }, jobs: false, debounceMs: 60_000 } });
      await lagging.save('object', { name: 'a', metadata: { v: 1 } });
      expect((await lagging.load('object', 'a', { cache: false })).data).toBeNull();
      await catchUpFully(lagging, 'framework-metadata');
      expect((await lagging.load('object', 'a', { cache: false })).data).toMatchObject({ version: 1, metadata: { v: 1 } });
      expect((await lagging.verify()).problems).toEqual([]);
    } finally {
      await other.dispose();
    }
  });
});

describe('watch', () => {
  it('delivers added / changed / deleted after commit, in commit order, and resumes from a cursor', async () => {
    const seen: string[] = [];
    const watch = await store.watch({ types: ['watched'] }, (event) => {
      seen.push(`${event.type}:${event.name}@${event.version}`);
    });
    await store.save('watched', { name: 'w', metadata: { v: 1 } });
    await store.save('watched', { name: 'w', metadata: { v: 2 } });
    await store.save('other', { name: 'ignored', metadata: {} });
    await store.delete('watched', 'w');
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual(['added:w@1', 'changed:w@2', 'deleted:w@3']);
    const resumeAt = watch.position;
    await watch.close();

    await store.save('watched', { name: 'w2', namespace: 'n1', metadata: {} });
    await store.save('watched', { name: 'w3', namespace: 'n2', metadata: {} });
    const resumed: string[] = [];
    const again = await store.watch({ types: ['watched'], namespace: 'n2', after: resumeAt }, (event) => {
      resumed.push(`${event.type}:${event.name}`);
    });
    await waitFor(() => resumed.length === 1);
    expect(resumed).toEqual(['added:w3']);
    await again.close();
  });

  // PGlite has one connection: no other transaction can be open while the store writes and watches
  it.skipIf(backend === 'pglite')(
    'from now on means what committed before the call is never delivered, though another transaction holds the log back',
    async () => {
      const blocker = await openTransactionElsewhere();
      try {
        await store.save('from-now', { name: 'before', metadata: {} });
        const seen: string[] = [];
        const watch = await store.watch({ types: ['from-now'], pollIntervalMs: 20 }, (event) => void seen.push(event.name));
        await store.save('from-now', { name: 'after', metadata: {} });
        await blocker.commit();
        await waitFor(() => seen.length >= 1);
        // one more change after it: whatever was going to be delivered before it has been
        await store.save('from-now', { name: 'last', metadata: {} });
        await waitFor(() => seen.includes('last'));
        await watch.close();
        expect(seen).toEqual(['after', 'last']);
      } finally {
        await blocker.end();
      }
    },
  );

  it('is an async iterator too', async () => {
    const stream = await store.changeStream({ types: ['iterated'] });
    await store.save('iterated', { name: 'i1', metadata: { n: 1 } });
    const { value } = await stream.next();
    expect(value).toMatchObject({ type: 'added', metadataType: 'iterated', name: 'i1', data: { metadata: { n: 1 } } });
    await stream.return!();
  });
});

/**
 * Catch-ups stop at the oldest transaction still running anywhere on the server (other test files run
 * in parallel), so a test catches up until the projection has no lag; returns the events applied.
 */
async function catchUpFully(target: MetadataStore, projection: string): Promise<number> {
  let applied = 0;
  const started = Date.now();
  for (;;) {
    applied += (await target.projections.catchUp(projection)).applied;
    if ((await target.projectionStatus()).find((p) => p.name === projection)!.lagEvents === 0) return applied;
    if (Date.now() - started > 30_000) throw new Error(`${projection} did not catch up`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a catch-up held back by a transaction running elsewhere', () => {
  it.skipIf(backend === 'pglite')('looks again once that transaction ends, though nothing more is written', async () => {
    // no catch-up on its own within the test: only the one below and what it schedules
    const prompt = await database.open({ projections: { definitions: [countingProjection('held')], jobs: false, debounceMs: 60_000 } });
    const lag = async () => (await prompt.projectionStatus()).find((p) => p.name === 'held')!.lagEvents;
    await waitUntil(
      async () => (await prompt.projections.catchUp('held')) && (await lag()) === 0,
      'the projection to catch up with the log',
    );
    const blocker = await openTransactionElsewhere();
    try {
      await prompt.save('held', { name: 'late', metadata: {} });
      expect((await prompt.projections.catchUp('held')).applied).toBe(0);
      expect(await lag()).toBe(1);
      await blocker.commit();
      await waitUntil(async () => (await lag()) === 0, 'the projection to look again', 5_000);
      expect(await database.query('SELECT name FROM held_events WHERE name = $1', ['late'])).toEqual([{ name: 'late' }]);
    } finally {
      await blocker.end();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
