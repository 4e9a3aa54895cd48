import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMetadata, importMetadata, operatorPrincipal, type MetadataStore } from '../../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

// Export at a moment: a release (a tag), a log position or a date-time exports the items as they were
// then, with histories that end there, however much the store has changed since and while it runs.

let database: TestDatabase;
let store: MetadataStore;
let dir: string;
/** The log position tag v1 names: account at v1, contact alive. */
let v1: number;
let v1Time: string;

interface Bundle {
  position: number;
  items: { type: string; name: string; metadata: Record<string, unknown>; history?: { version: number }[] }[];
}

const operator = operatorPrincipal();
const readBundle = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Bundle;
let files = 0;
const nextFile = () => join(dir, `export-${files++}.json`);

beforeAll(async () => {
  database = await createTestDatabase('export_at');
  store = await database.open();
  dir = await mkdtemp(join(tmpdir(), 'metaledger-export-at-'));
  await store.save('object', { name: 'account', metadata: { label: 'Account' } });
  await store.save('object', { name: 'contact', metadata: { label: 'Contact' } });
  v1 = (await store.tag('v1')).position;
  v1Time = new Date().toISOString();
  // what changes after the release must not show in its export
  await new Promise((resolve) => setTimeout(resolve, 20));
  await store.save('object', { name: 'account', metadata: { label: 'Customer account' } });
  await store.delete('object', 'contact');
  await store.save('object', { name: 'lead', metadata: { label: 'Lead' } });
});
afterAll(async () => {
  await database.dispose();
  await rm(dir, { recursive: true, force: true });
});

const asOfV1 = [
  { type: 'object', name: 'account', metadata: { label: 'Account' } },
  { type: 'object', name: 'contact', metadata: { label: 'Contact' } },
];

describe('export at a moment', () => {
  it.each([
    ['a tag', () => ({ tag: 'v1' })],
    ['a tag as text', () => 'tag:v1'],
    ['a log position', () => ({ position: v1 })],
    ['a log position as text', () => String(v1)],
    ['a date-time', () => ({ asOf: v1Time })],
  ])('exports the items as they were at %s, with the position it reflects', async (_, at) => {
    const output = nextFile();
    const report = await exportMetadata(store, { output, principal: operator, at: at() });
    expect(report).toMatchObject({ items: 2, position: v1 });
    const bundle = await readBundle(output);
    expect(bundle.position).toBe(v1);
    expect(bundle.items).toMatchObject(asOfV1);
  });

  it('ends each history at the moment exported', async () => {
    const output = nextFile();
    await exportMetadata(store, { output, principal: operator, at: 'tag:v1', includeHistory: true });
    const { items } = await readBundle(output);
    expect(items.map((item) => [item.name, item.history?.map((event) => event.version)])).toEqual([
      ['account', [1]],
      ['contact', [1]],
    ]);
    // now, the same item has moved on
    const now = nextFile();
    await exportMetadata(store, { output: now, principal: operator, includeHistory: true });
    expect((await readBundle(now)).items.find((item) => item.name === 'account')?.history?.map((event) => event.version)).toEqual([1, 2]);
  });

  it('exports the same release while writers change the store, and round-trips into a new store', async () => {
    const before = nextFile();
    await exportMetadata(store, { output: before, principal: operator, at: { tag: 'v1' } });
    const writers = Array.from({ length: 8 }, (_, writer) =>
      (async () => {
        for (let i = 0; i < 10; i++) await store.save('object', { name: `item_${writer}`, metadata: { label: `w${writer}-${i}` } });
        await store.update('object', 'account', (current) => ({ ...current, metadata: { label: `by writer ${writer}` } }));
        await store.save('object', { name: `new_${writer}`, metadata: {} });
      })(),
    );
    const during = Array.from({ length: 4 }, () => nextFile());
    await Promise.all([...writers, ...during.map((output) => exportMetadata(store, { output, principal: operator, at: 'tag:v1' }))]);
    const expected = (await readBundle(before)).items;
    for (const output of during) expect((await readBundle(output)).items).toEqual(expected);

    // the release, imported into a new store, is the store as it was then
    const copyDatabase = await createTestDatabase('export_at_copy');
    try {
      const copy = await copyDatabase.open();
      await importMetadata(copy, { source: before, principal: operator });
      const items = await copy.list('object');
      expect(items.map(({ type, name, metadata }) => ({ type, name, metadata }))).toEqual(asOfV1);
    } finally {
      await copyDatabase.dispose();
    }
  });

  it('refuses a moment it cannot export, naming it, and writes nothing', async () => {
    const cases: [unknown, string][] = [
      [{ position: v1 + 10_000 }, 'VALIDATION'],
      [{ tag: 'no-such-release' }, 'NOT_FOUND'],
      ['2024-13-45T99:00:00Z', 'VALIDATION'],
      [{ version: 1 }, 'VALIDATION'],
      [42, 'VALIDATION'],
      ['has space', 'VALIDATION'],
    ];
    for (const [at, code] of cases) {
      const output = nextFile();
      await expect(exportMetadata(store, { output, principal: operator, at: at as never })).rejects.toMatchObject({ code });
      expect(existsSync(output)).toBe(false);
    }
  });
});
