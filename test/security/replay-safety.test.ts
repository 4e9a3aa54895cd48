import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/index.js';
import { exportMetadata } from '../../src/service/export/export-metadata.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

// Keys that JavaScript gives a meaning (prototype, constructor, __proto__) are plain data in a metadata
// document: other systems' JSON may carry them. Stored content must never make a replay refuse or
// change an object's prototype, so every history call below works on them like on any other key.

let database: TestDatabase;
let store: MetadataStore;
let work: string;

beforeAll(async () => {
  database = await createTestDatabase('replay_safety');
  store = await database.open({ snapshotEvery: 3 });
  work = await mkdtemp(join(tmpdir(), 'metaledger-replay-'));
});
afterAll(async () => {
  await database.dispose();
  await rm(work, { recursive: true, force: true });
});

/** The versions of one hostile item, as JSON text: JSON.parse gives objects with an own `__proto__` key. */
const versions = [
  '{"constructor":{"prototype":{"x":1}},"nested":{"__proto__":{"polluted":true},"list":[{"__proto__":1}]}}',
  '{"constructor":{"prototype":{"x":2}},"nested":{"__proto__":{"polluted":false,"more":{"constructor":1}},"list":[{"__proto__":2},3]}}',
  '{"constructor":{"prototype":{}},"nested":{"list":[]},"prototype":{"constructor":{"prototype":"deep"}}}',
  '{"nested":{"__proto__":{"back":true}},"a/b~c":{"__proto__":null},"prototype":{"constructor":{"prototype":"deeper"}}}',
  '{"constructor":{"prototype":{"x":5}},"nested":{"__proto__":[{"__proto__":{"__proto__":"x"}}]}}',
];

/** Canonical text of a value: own keys only (an own `__proto__` key included), in sorted order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const same = (actual: unknown, jsonText: string) => expect(canonical(actual)).toBe(canonical(JSON.parse(jsonText)));

describe('stored keys named __proto__, constructor and prototype are plain data', () => {
  beforeAll(async () => {
    for (const text of versions) await store.save('object', { name: 'hostile', metadata: JSON.parse(text) }, { actor: 'alice' });
    await store.save('object', { name: 'neighbour', metadata: { plain: true } });
  });

  it('loads, replays every version and verifies', async () => {
    same((await store.load('object', 'hostile', { cache: false })).data!.metadata, versions[4]);
    for (let version = 1; version <= versions.length; version++) {
      const at = await store.getAt('object', 'hostile', { version });
      same(at.document!.metadata, versions[version - 1]);
    }
    expect(await store.verify()).toMatchObject({ ok: true, problems: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('diff, blame, history, the change feed and snapshotAt read it', async () => {
    const diff = await store.diff('object', 'hostile', 1, 4);
    expect(diff.identical).toBe(false);
    expect(diff.patch.some((op) => op.path.startsWith('/metadata/nested/__proto__/'))).toBe(true);
    const blame = await store.blame('object', 'hostile');
    expect(blame.map((line) => line.pointer)).toContain('/metadata/nested/__proto__/0/__proto__/__proto__');
    expect((await store.history('object', 'hostile', { limit: 10 })).total).toBe(versions.length);
    // the feed reads only what no open transaction on the server can still precede: wait for it
    await waitFor(
      async () => (await store.changes({ types: ['object'] })).events.filter((event) => event.name === 'hostile').length >= versions.length,
      'the change feed to show every version',
      30_000,
    );
    const [position] = await database.query<{ p: number }>(`SELECT max(position)::int AS p FROM metadata_events`);
    const items = [];
    for await (const item of store.snapshotAt({ position: position.p, types: ['object'] })) items.push(item);
    same(items.find((item) => item.name === 'hostile')!.document.metadata, versions[4]);
  });

  it('a rebuild, an async projection and an export with history replay it', async () => {
    await store.rebuild('framework-metadata');
    same((await store.load('object', 'hostile', { cache: false })).data!.metadata, versions[4]);
    const other = await createTestDatabase('replay_async');
    try {
      const lagging = await other.open({ projections: { modes: { 'framework-metadata': 'async' }, jobs: false, debounceMs: 60_000 } });
      for (const text of versions) await lagging.save('object', { name: 'hostile', metadata: JSON.parse(text) });
      for (let round = 0; (await lagging.projectionStatus()).find((p) => p.name === 'framework-metadata')!.lagEvents > 0; round++) {
        expect(round).toBeLessThan(1500);
        await lagging.projections.catchUp('framework-metadata');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      same((await lagging.load('object', 'hostile', { cache: false })).data!.metadata, versions[4]);
      expect((await lagging.verify()).problems).toEqual([]);
    } finally {
      await other.dispose();
    }
    const output = join(work, 'bundle.json');
    await exportMetadata(store, { output, includeHistory: true, types: ['object'] });
    const bundle = JSON.parse(await readFile(output, 'utf8'));
    same(bundle.items.find((item: { name: string }) => item.name === 'hostile').metadata, versions[4]);
  });

  it('still replays after the item is deleted and re-created', async () => {
    await store.delete('object', 'hostile');
    expect(await store.verify()).toMatchObject({ ok: true });
    same((await store.getAt('object', 'hostile', { version: 2 })).document!.metadata, versions[1]);
    await store.save('object', { name: 'hostile', metadata: JSON.parse(versions[0]) });
    await store.save('object', { name: 'hostile', metadata: JSON.parse(versions[3]) });
    same((await store.getAt('object', 'hostile', { version: versions.length + 3 })).document!.metadata, versions[3]);
    expect(await store.verify()).toMatchObject({ ok: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a replay problem in one item is that item’s integrity problem, not a failure of the call', () => {
  it('verify reports the item; time travel on it is INTEGRITY; other items still read', async () => {
    for (let i = 1; i <= 2; i++) await store.save('broken', { name: 'unreplayable', metadata: { i } });
    await store.save('broken', { name: 'fine', metadata: { i: 1 } });
    // a patch that cannot apply to the state before it (written behind the store's back)
    await database.query(
      `UPDATE metadata_events SET patch = '[{"op":"replace","path":"/metadata/missing/deeper","value":1}]'
       WHERE name = 'unreplayable' AND version = 2`,
    );
    const report = await store.verify();
    expect(report.ok).toBe(false);
    const replayProblems = report.problems.filter((p) => p.kind === 'replay_failed');
    expect(replayProblems).toEqual([
      expect.objectContaining({ type: 'broken', name: 'unreplayable', version: 2, detail: expect.stringContaining('/metadata/missing') }),
    ]);
    expect(report.problems.every((p) => p.name === 'unreplayable')).toBe(true);
    await expect(store.getAt('broken', 'unreplayable', { version: 2 })).rejects.toMatchObject({
      code: 'INTEGRITY',
      message: expect.stringContaining('broken/unreplayable'),
    });
    expect(await store.getAt('broken', 'unreplayable', { version: 1 })).toMatchObject({ status: 'exists' });
    expect(await store.getAt('broken', 'fine', { version: 1 })).toMatchObject({ status: 'exists' });
    await expect(store.rebuild('framework-metadata')).rejects.toMatchObject({ code: 'INTEGRITY' });
    await database.query(`DELETE FROM metadata_events WHERE type = 'broken'`);
    await database.query(`DELETE FROM metadata_streams WHERE type = 'broken'`);
    await database.query(`DELETE FROM _framework_metadata WHERE type = 'broken'`);
  });
});
