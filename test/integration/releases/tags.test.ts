import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetaledgerError, type MetadataStore } from '../../../src/index.js';
import { TagExistsError } from '../../../src/change/releases/tags.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
/** Positions: after v1 of both items, after their v2. */
let first: number;
let second: number;

const tagCount = async () => Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_tags'))[0].n);

beforeAll(async () => {
  database = await createTestDatabase('release_tags');
  store = await database.open();
  await store.save('object', { name: 'account', metadata: { label: 'Account' } });
  first = (await store.save('object', { name: 'contact', metadata: { label: 'Contact' } })).position!;
  await store.save('object', { name: 'account', metadata: { label: 'Customer account' } });
  second = (await store.delete('object', 'contact')).position!;
});
afterAll(() => database.dispose());

describe('tags', () => {
  it('names the head by default, or a position given, with who and why', async () => {
    const head = await store.tag('v2', { message: 'second release', actor: 'alice' });
    expect(head).toMatchObject({ name: 'v2', position: second, message: 'second release', actor: 'alice' });
    const earlier = await store.tag('v1', { position: first });
    expect(earlier.position).toBe(first);
    expect((await store.tags()).map((tag) => [tag.name, tag.position])).toEqual([
      ['v2', second],
      ['v1', first],
    ]);
    const [changeset] = await database.query<{ source: string; actor: string; reason: string }>(
      'SELECT source, actor, reason FROM metadata_changesets WHERE id = $1',
      [head.changesetId],
    );
    expect(changeset).toEqual({ source: 'tag', actor: 'alice', reason: 'second release' });
  });

  it('is immutable: a name is given once, even by concurrent callers', async () => {
    await expect(store.tag('v1')).rejects.toBeInstanceOf(TagExistsError);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.tag('race', { message: 'who wins' })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(isMetaledgerError((outcome as PromiseRejectedResult).reason, 'CONFLICT')).toBe(true);
    }
    // different names at once: each written, the tags' chain stays whole
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.tag(`parallel-${i}`)));
    expect((await store.verify()).ok).toBe(true);
  });

  it('refuses a position beyond the head or inside a changeset', async () => {
    await expect(store.tag('future', { position: second + 1000 })).rejects.toMatchObject({ code: 'VALIDATION' });
    const { position } = await store.restore({ position: first, reason: 'back' }).then(async (plan) => {
      const [row] = await database.query<{ first: string }>('SELECT min(position) AS first FROM metadata_events WHERE changeset_id = $1', [
        plan.changesetId,
      ]);
      return { position: Number(row.first) };
    });
    await expect(store.tag('half', { position })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('refuses hostile names and options, writing nothing', async () => {
    const before = await tagCount();
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', ' ', 'a b', 'tab\tname', 'nl\n', 'x'.repeat(101), '\u0000', '\u202e', 'tag:x', '-lead', 'a/b', '\ud800'),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(hostile, fc.oneof(fc.constant(undefined), fc.anything()), async (name, options) => {
        const outcome = await store.tag(name as string, options as never).then(
          (tag) => tag,
          (error: unknown) => error,
        );
        if (isMetaledgerError(outcome)) return;
        // accepted: only a well-formed name, and then it is listed
        expect(typeof name).toBe('string');
        expect(name).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u);
        expect((await store.tags()).some((tag) => tag.name === name)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const accepted = (await store.tags()).length - before;
    expect(await tagCount()).toBe(before + accepted);
    expect((await store.verify()).ok).toBe(true);
  });
});

describe('moments accept a tag', () => {
  it('getAt, diff, snapshotAt and restore read the position a tag names', async () => {
    expect(await store.getAt('object', 'contact', { tag: 'v1' })).toMatchObject({ status: 'exists', version: 1 });
    expect(await store.getAt('object', 'contact', { tag: 'v2' })).toMatchObject({ status: 'deleted' });
    const diff = await store.diff('object', 'account', { tag: 'v1' }, 'tag:v2');
    expect(diff.patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Customer account' }]);
    const names: string[] = [];
    for await (const item of store.snapshotAt({ tag: 'v1' })) names.push(item.name);
    expect(names.sort()).toEqual(['account', 'contact']);
    const plan = await store.restore({ tag: 'v2', dryRun: true });
    expect(plan.moment).toBe(`position ${second}`);
  });

  it('refuses an unknown tag, a bad one, or a tag beside another moment', async () => {
    await expect(store.getAt('object', 'account', { tag: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.getAt('object', 'account', { tag: 'a b' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.getAt('object', 'account', { tag: 'v1', position: 1 } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.restore({ tag: 'v1', position: 1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.diff('object', 'account', 'tag:', 1)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('diffStore', () => {
  it('lists created, modified (with the patch) and deleted items between two moments', async () => {
    await store.tag('before-diff');
    await store.save('object', { name: 'account', metadata: { label: 'Client' } });
    await store.save('view', { name: 'all_accounts', metadata: { columns: ['name'] } });
    await store.save('object', { name: 'scratch', metadata: {} });
    await store.delete('object', 'scratch');
    await store.delete('object', 'contact'); // recreated by the restore above
    const diff = await store.diffStore({ tag: 'before-diff' }, { position: 1e12 });
    expect(diff.changes.map((change) => [change.type, change.name, change.change])).toEqual([
      ['object', 'account', 'modified'],
      ['object', 'contact', 'deleted'],
      ['view', 'all_accounts', 'created'],
    ]);
    expect(diff.changes[0].patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Client' }]);
    expect(diff.counts).toEqual({ created: 1, modified: 1, deleted: 1 });
    const back = await store.diffStore('tag:v2' as never, { tag: 'v1' }, { types: ['object'] });
    expect(back.changes.map((change) => [change.name, change.change])).toEqual([
      ['account', 'modified'],
      ['contact', 'created'],
    ]);
    expect((await store.diffStore({ tag: 'v1' }, { tag: 'v1' })).changes).toEqual([]);
    expect((await store.diffStore({ tag: 'before-diff' }, { position: 1e12 }, { namespace: 'elsewhere' })).changes).toEqual([]);
  });

  it('refuses a version moment, unknown options and bad moments', async () => {
    await expect(store.diffStore({ version: 1 } as never, { position: 1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.diffStore({ position: 1 }, { position: 2 }, { nope: 1 } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.diffStore({ asOf: 'not a date' }, { position: 2 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
