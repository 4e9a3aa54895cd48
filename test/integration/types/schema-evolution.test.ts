import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MetadataStore } from '../../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

const v1 = z.object({ title: z.string() });
const v2 = z.object({ label: z.string() });
const v3 = z.object({ label: z.string(), steps: z.number().int() });
const upcasters = {
  2: (previous: Record<string, unknown>) => ({ label: previous.title }),
  3: (previous: Record<string, unknown>) => ({ ...previous, steps: 0 }),
};

beforeAll(async () => {
  database = await createTestDatabase('type_evolution');
  store = await database.open();
  await store.defineType('flow', { schema: v1 });
  await store.save('flow', { name: 'onboarding', metadata: { title: 'Onboarding' } });
  await store.save('flow', { name: 'onboarding', metadata: { title: 'Onboarding, revised' } });
  await store.save('flow', { name: 'offboarding', metadata: { title: 'Offboarding' } });
  await store.defineType('flow', { schema: v2, version: 2, upcasters: { 2: upcasters[2] } });
  await store.defineType('flow', { schema: v3, version: 3, upcasters });
});
afterAll(() => database.dispose());

const stored = async (name: string) =>
  (
    await database.query<{ version: number; schema_version: number | null }>(
      `SELECT version, schema_version FROM metadata_events WHERE type = 'flow' AND name = $1 ORDER BY version`,
      [name],
    )
  ).map((row) => [row.version, row.schema_version]);

describe('schema evolution', () => {
  it('records the schema version each event was written under', async () => {
    await store.save('flow', { name: 'renewal', metadata: { label: 'Renewal', steps: 2 } });
    expect(await stored('onboarding')).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(await stored('renewal')).toEqual([[1, 3]]);
  });

  it('refuses the old shape once the schema moved on', async () => {
    await expect(store.save('flow', { name: 'late', metadata: { title: 'Late' } })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('upcasts older states on time travel, snapshots and diffs, in order, without rewriting the log', async () => {
    const at = await store.getAt('flow', 'onboarding', { version: 1 });
    expect(at.document?.metadata).toEqual({ label: 'Onboarding', steps: 0 });
    const diff = await store.diff('flow', 'onboarding', 1, 2);
    expect(diff.patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Onboarding, revised' }]);
    const snapshot = [];
    for await (const state of store.snapshotAt({ position: 1_000_000 })) if (state.type === 'flow') snapshot.push(state);
    expect(snapshot.map((state) => [state.name, state.document.metadata])).toEqual(
      expect.arrayContaining([
        ['offboarding', { label: 'Offboarding', steps: 0 }],
        ['onboarding', { label: 'Onboarding, revised', steps: 0 }],
        ['renewal', { label: 'Renewal', steps: 2 }],
      ]),
    );
    const [row] = await database.query<{ snapshot: { metadata: unknown } }>(
      `SELECT snapshot FROM metadata_events WHERE type = 'flow' AND name = 'onboarding' AND version = 1`,
    );
    expect(row.snapshot.metadata).toEqual({ title: 'Onboarding' });
    expect((await store.verify()).ok).toBe(true);
  });

  it('a process without the upcasters says so instead of handing out old shapes (UPCASTER_MISSING)', async () => {
    const other = await database.open();
    await expect(other.getAt('flow', 'onboarding', { version: 1 })).rejects.toMatchObject({
      code: 'UPCASTER_MISSING',
      message: expect.stringContaining('no upcaster to version 2'),
    });
    // a state written under the current version needs none
    await expect(other.getAt('flow', 'renewal', { version: 1 })).resolves.toMatchObject({ status: 'exists' });
  });

  it('migrateType rewrites the current states to the new version as one changeset', async () => {
    const result = await store.migrateType('flow', { actor: 'admin', reason: 'flow v3' });
    expect(result).toMatchObject({ type: 'flow', version: 3 });
    expect(result.migrated.map((item) => [item.name, item.fromVersion])).toEqual([
      ['offboarding', 1],
      ['onboarding', 1],
    ]);
    const changesets = await database.query<{ changeset_id: string }>(
      `SELECT DISTINCT changeset_id FROM metadata_events WHERE type = 'flow' AND schema_version = 3 AND name <> 'renewal'`,
    );
    expect(changesets.map((row) => row.changeset_id)).toEqual([result.changesetId]);
    expect((await store.load('flow', 'onboarding')).data?.metadata).toEqual({ label: 'Onboarding, revised', steps: 0 });
    expect(await stored('onboarding')).toEqual([
      [1, 1],
      [2, 1],
      [3, 3],
    ]);
    // nothing behind any more: a second run writes nothing
    expect(await store.migrateType('flow')).toEqual({ type: 'flow', version: 3, migrated: [] });
    expect((await store.verify()).ok).toBe(true);
  });

  it('a migration whose upcast payload does not fit the schema is refused whole, every problem with its path', async () => {
    await store.defineType('task', { schema: z.object({ due: z.string() }) });
    await store.save('task', { name: 'a', metadata: { due: 'monday' } });
    await store.save('task', { name: 'b', metadata: { due: 'tuesday' } });
    await store.defineType('task', { schema: z.object({ due: z.number() }), version: 2, upcasters: { 2: (m) => m } });
    await expect(store.migrateType('task')).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [
        { path: 'a.metadata.due', message: expect.any(String) },
        { path: 'b.metadata.due', message: expect.any(String) },
      ],
    });
    const [{ n }] = await database.query<{ n: string }>(`SELECT count(*) AS n FROM metadata_events WHERE type = 'task'`);
    expect(Number(n)).toBe(2);
  });
});
