import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { isMetaledgerError, RevertConflictError, type MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
/** More stores (pools) on the same database, so concurrent writers really run in parallel. */
let others: MetadataStore[];

beforeAll(async () => {
  database = await createTestDatabase('revert');
  store = await database.open();
  others = await Promise.all([1, 2, 3].map(() => database.open({ driver: { transaction: { maxRetries: 100 } } })));
});
afterAll(() => database.dispose());

const metadataOf = async (name: string) => (await store.load('object', name, { cache: false })).data?.metadata;
const eventCount = async () => Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);

/** Saves and returns the changeset id of the save. */
async function saved(name: string, metadata: Record<string, unknown>, on: MetadataStore = store): Promise<string> {
  const { changesetId } = await on.save('object', { name, metadata }, { actor: 'alice' });
  return changesetId!;
}

describe('revertChangeset', () => {
  it('reverts the paths a changeset modified and keeps later changes to other paths, as one new changeset history shows', async () => {
    await saved('paths', { a: 1, b: 1, nested: { x: 1, y: 1 } });
    const change = await saved('paths', { a: 2, b: 1, nested: { x: 2, y: 1 } });
    await saved('paths', { a: 2, b: 5, nested: { x: 2, y: 7 }, c: 3 });

    const result = await store.revertChangeset(change, { actor: 'bob', reason: 'the a change broke reports' });
    expect(await metadataOf('paths')).toEqual({ a: 1, b: 5, nested: { x: 1, y: 7 }, c: 3 });
    expect(result).toMatchObject({ changesetId: change, dryRun: false, onConflict: 'refuse', conflicts: [] });
    expect(result.items).toEqual([
      expect.objectContaining({ type: 'object', name: 'paths', action: 'revert', fromVersion: 3, conflicts: [] }),
    ]);
    expect(result.revertChangesetId).toMatch(/^[0-9a-f-]{36}$/);
    const [latest] = (await store.history('object', 'paths', { limit: 1 })).events;
    expect(latest).toMatchObject({
      version: 4,
      kind: 'rolled_back',
      actor: 'bob',
      reason: 'the a change broke reports',
      source: 'revert',
      changesetId: result.revertChangesetId,
      target: { revertOf: change },
    });
    expect((await store.verify()).ok).toBe(true);
  });

  it('refuses a conflicting revert with the conflicts listed and writes nothing; dry run, skip and overwrite', async () => {
    await saved('clash', { a: 1, b: 1 });
    const change = await saved('clash', { a: 2, b: 2 });
    await saved('clash', { a: 9, b: 2 });
    const before = await eventCount();

    const refused = await store.revertChangeset(change).catch((error) => error);
    expect(refused).toBeInstanceOf(RevertConflictError);
    expect(refused).toMatchObject({ code: 'CONFLICT', changesetId: change });
    expect(refused.conflicts).toEqual([
      {
        type: 'object',
        name: 'clash',
        path: '/metadata/a',
        current: 9,
        restoring: 1,
        changedBy: [{ version: 3, changesetId: expect.any(String) }],
      },
    ]);
    expect(refused.message).toContain('object/clash /metadata/a');
    expect(await eventCount()).toBe(before);

    const plan = await store.revertChangeset(change, { dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, onConflict: 'refuse', conflicts: refused.conflicts });
    expect(plan.items[0].patch).toEqual([{ op: 'replace', path: '/metadata/b', value: 1 }]);
    expect(plan.revertChangesetId).toBeUndefined();
    const overwritePlan = await store.revertChangeset(change, { dryRun: true, onConflict: 'overwrite' });
    expect(overwritePlan.items[0].patch).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/metadata/a', value: 1 },
        { op: 'replace', path: '/metadata/b', value: 1 },
      ]),
    );
    expect(await eventCount()).toBe(before);

    await store.revertChangeset(change, { onConflict: 'skip' });
    expect(await metadataOf('clash')).toEqual({ a: 9, b: 1 });
  });

  it('overwrites conflicts when told to', async () => {
    await saved('overwrite', { a: 1 });
    const change = await saved('overwrite', { a: 2 });
    await saved('overwrite', { a: 3 });
    const result = await store.revertChangeset(change, { onConflict: 'overwrite' });
    expect(result.conflicts).toHaveLength(1);
    expect(await metadataOf('overwrite')).toEqual({ a: 1 });
  });

  it('deletes an item the changeset created, unless it changed since', async () => {
    const created = await saved('created', { a: 1 });
    const result = await store.revertChangeset(created);
    expect(result.items[0]).toMatchObject({ action: 'delete' });
    expect(await metadataOf('created')).toBeUndefined();

    const createdAgain = await saved('edited-later', { a: 1 });
    await saved('edited-later', { a: 1, b: 2 });
    const refused = await store.revertChangeset(createdAgain).catch((error) => error);
    expect(refused.conflicts).toEqual([expect.objectContaining({ path: '/metadata/b', current: 2 })]);
    expect(refused.conflicts[0]).not.toHaveProperty('restoring');
    expect(await metadataOf('edited-later')).toEqual({ a: 1, b: 2 });
  });

  it('recreates an item the changeset deleted, with its prior state', async () => {
    await saved('deleted', { keep: { me: true } });
    const { changesetId } = await store.delete('object', 'deleted');
    const result = await store.revertChangeset(changesetId!);
    expect(result.items[0]).toMatchObject({ action: 'recreate' });
    expect(await metadataOf('deleted')).toEqual({ keep: { me: true } });
    expect((await store.history('object', 'deleted', { limit: 1 })).events[0]).toMatchObject({ kind: 'restored', source: 'revert' });
  });

  it('refuses to revert twice, unless the first revert was itself reverted', async () => {
    await saved('twice', { n: 1 });
    const change = await saved('twice', { n: 2 });
    const first = await store.revertChangeset(change);
    const again = await store.revertChangeset(change).catch((error) => error);
    expect(again).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`already reverted by changeset ${first.revertChangesetId}`),
    });
    expect(await store.revertChangeset(change, { dryRun: true }).catch((error) => error)).toMatchObject({ code: 'CONFLICT' });
    expect(await metadataOf('twice')).toEqual({ n: 1 });

    const undo = await store.revertChangeset(first.revertChangesetId!);
    expect(await metadataOf('twice')).toEqual({ n: 2 });
    await store.revertChangeset(change);
    expect(await metadataOf('twice')).toEqual({ n: 1 });
    // the revert of the revert stands reverted by nothing: it cannot be applied twice either
    expect(await store.revertChangeset(first.revertChangesetId!).catch((error) => error)).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`already reverted by changeset ${undo.revertChangesetId}`),
    });
  });

  it('reverts a changeset of many items at once, as one changeset', async () => {
    const driver = await new MetadataDriver(store).init();
    const names = Array.from({ length: 60 }, (_, i) => `bulk_${String(i).padStart(2, '0')}`);
    await driver.bulkOperation({
      operation: 'upsert',
      records: names.map((name) => ({ type: 'object', name, metadata: { v: 1, other: 0 } })),
    });
    await driver.bulkOperation({
      operation: 'upsert',
      records: names.map((name) => ({ type: 'object', name, metadata: { v: 2, other: 0 } })),
    });
    const [{ changeset_id: change }] = await database.query<{ changeset_id: string }>(
      `SELECT changeset_id FROM metadata_events WHERE name = 'bulk_00' AND version = 2`,
    );
    await saved('bulk_07', { v: 2, other: 5 });
    const result = await store.revertChangeset(change);
    expect(result.items).toHaveLength(60);
    const rows = await database.query<{ n: string }>(`SELECT count(*) AS n FROM metadata_events WHERE changeset_id = $1`, [
      result.revertChangesetId,
    ]);
    expect(Number(rows[0].n)).toBe(60);
    for (const name of names) expect(await metadataOf(name)).toEqual({ v: 1, other: name === 'bulk_07' ? 5 : 0 });
  });

  it('says NOT_FOUND for an unknown changeset and VALIDATION for what is not a changeset id or revert option, writing nothing', async () => {
    await expect(store.revertChangeset(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await saved('hostile', { a: 1 });
    const change = await saved('hostile', { a: 2 });
    const anyOptions = fc.oneof(
      fc.anything(),
      fc.record(
        {
          onConflict: fc.oneof(fc.constantFrom('skip', 'overwrite', 'Skip', '', 'refuse'), fc.anything()),
          dryRun: fc.anything(),
          reason: fc.oneof(fc.string(), fc.constant('\u0000'), fc.anything()),
          actor: fc.anything(),
          unknown: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(change), fc.string(), fc.anything()), anyOptions, async (id, options) => {
        const before = await eventCount();
        const planned = await store.revertChangeset(id as string, { ...(options as object), dryRun: true }).then(
          () => 'planned',
          (error) => error,
        );
        if (planned !== 'planned') expect(isMetaledgerError(planned)).toBe(true);
        expect(await eventCount()).toBe(before);
        const written = await store.revertChangeset(id as string, options as never).then(
          (result) => result,
          (error) => error,
        );
        if (isMetaledgerError(written)) expect(await eventCount()).toBe(before);
        else {
          // only the real id with valid options writes; reverting the revert sets the stage again
          expect(id).toBe(change);
          expect(await eventCount()).toBe(before + 1);
          await store.revertChangeset(written.revertChangesetId);
        }
      }),
      { numRuns: 200 },
    );
    expect((await store.verify()).ok).toBe(true);
  });
});

describe('a revert racing edits', () => {
  it('never loses a concurrent edit of another path: the revert plans on the state it is appended to', async () => {
    await saved('race-other', { counter: 0, field: 'x' });
    const change = await saved('race-other', { counter: 0, field: 'y' });
    const writers = 8;
    const increments = 10;
    const increment = (on: MetadataStore) =>
      on.update('object', 'race-other', (current) => ({
        ...current,
        metadata: { ...current.metadata, counter: (current.metadata.counter as number) + 1 },
      }));
    const [result] = await Promise.all([
      others[0].revertChangeset(change),
      ...Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; i < increments; i++) await increment(others[writer % others.length]);
      }),
    ]);
    expect(result.conflicts).toEqual([]);
    expect(await metadataOf('race-other')).toEqual({ counter: writers * increments, field: 'x' });
  });

  it('either commits before an edit of the same path or sees it and reports the conflict, never overwriting it', async () => {
    let committedFirst = 0;
    let refused = 0;
    for (let round = 0; round < 12; round++) {
      const name = `race-same-${round}`;
      await saved(name, { field: 'x' });
      const change = await saved(name, { field: 'y' });
      const [revert, edit] = await Promise.all([
        others[round % 3].revertChangeset(change).catch((error) => error),
        others[(round + 1) % 3].update('object', name, (current) => ({ ...current, metadata: { field: 'z' } })),
      ]);
      expect(edit.success).toBe(true);
      expect(await metadataOf(name)).toEqual({ field: 'z' });
      if (revert instanceof RevertConflictError) {
        refused++;
        expect(revert.conflicts).toEqual([expect.objectContaining({ path: '/metadata/field', current: 'z', restoring: 'x' })]);
      } else {
        expect(revert.revertChangesetId).toBeDefined();
        committedFirst++;
        const history = (await store.history('object', name)).events;
        expect(history.find((event) => event.source === 'revert')!.version).toBeLessThan(edit.version);
      }
    }
    expect(committedFirst + refused).toBe(12);
  });

  it('many concurrent reverts of one changeset apply it once', async () => {
    await saved('race-reverts', { n: 1 });
    const change = await saved('race-reverts', { n: 2 });
    const outcomes = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        others[i % 3].revertChangeset(change).then(
          (result) => result,
          (error) => error,
        ),
      ),
    );
    const succeeded = outcomes.filter((outcome) => !(outcome instanceof Error));
    expect(succeeded).toHaveLength(1);
    for (const outcome of outcomes.filter((outcome) => outcome instanceof Error)) expect(outcome).toMatchObject({ code: 'CONFLICT' });
    const events = await database.query(`SELECT 1 FROM metadata_events WHERE name = 'race-reverts'`);
    expect(events).toHaveLength(3);
    expect(await metadataOf('race-reverts')).toEqual({ n: 1 });
  });
});

describe('a pruned changeset', () => {
  // last: pruning cuts the history of every item of this file
  it('cannot be reverted once pruning removed its events: HISTORY_PRUNED, nothing written', async () => {
    const first = await saved('pruned', { a: 1 });
    const second = await saved('pruned', { a: 2 });
    await store.prune({ before: new Date(Date.now() + 60_000), keepVersions: 1 });
    const before = await eventCount();
    await expect(store.revertChangeset(first)).rejects.toMatchObject({ code: 'HISTORY_PRUNED' });
    expect(await eventCount()).toBe(before);
    // the latest event stays, and its changeset still reverts
    await store.revertChangeset(second);
    expect(await metadataOf('pruned')).toEqual({ a: 1 });
  });
});
