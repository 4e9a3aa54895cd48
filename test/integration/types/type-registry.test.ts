import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isMetaledgerError, MetadataDriver, type MetadataStore } from '../../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;
let other: MetadataStore;

const objectSchema = z.object({
  label: z.string().min(1),
  fields: z.array(z.object({ name: z.string(), kind: z.enum(['text', 'number']) })),
});

beforeAll(async () => {
  database = await createTestDatabase('type_registry');
  store = await database.open();
  other = await database.open();
});
afterAll(() => database.dispose());

const eventCount = async () => Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);

async function refusal(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isMetaledgerError(error)).toBe(true);
  return error as { code: string; issues?: { path: string; message: string }[] };
}

describe('type registry', () => {
  it('persists a zod definition as JSON Schema, through the log, seen by another store', async () => {
    const saved = await store.defineType('object', { schema: objectSchema }, { actor: 'admin', reason: 'typed objects' });
    expect(saved).toMatchObject({ created: true, version: 1 });
    const seen = await other.getType('object');
    expect(seen).toMatchObject({ type: 'object', version: 1, references: [] });
    expect(seen.schema).toMatchObject({ type: 'object', required: ['label', 'fields'] });
    const history = await store.history('_type', 'object');
    expect(history.events[0]).toMatchObject({ kind: 'created', actor: 'admin', reason: 'typed objects' });
    expect((await store.listTypes()).map((t) => t.type)).toContain('object');
  });

  it('refuses an invalid payload with every problem and its path, writing nothing', async () => {
    const before = await eventCount();
    const error = await refusal(other.save('object', { name: 'account', metadata: { label: '', fields: [{ name: 1, kind: 'date' }] } }));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues!.map((i) => i.path).sort()).toEqual(['metadata.fields.0.kind', 'metadata.fields.0.name', 'metadata.label']);
    expect(await eventCount()).toBe(before);
  });

  it('accepts a valid payload and keeps untyped types free', async () => {
    await expect(store.save('object', { name: 'account', metadata: { label: 'Account', fields: [] } })).resolves.toMatchObject({
      created: true,
    });
    await expect(store.save('untyped', { name: 'x', metadata: { anything: [1, { b: null }] } })).resolves.toMatchObject({ created: true });
  });

  it('checks update, bulk and import payloads the same way', async () => {
    const before = await eventCount();
    const updated = await refusal(store.update('object', 'account', (current) => ({ ...current, metadata: { label: 5 } })));
    expect(updated.issues!.map((i) => i.path).sort()).toEqual(['metadata.fields', 'metadata.label']);
    const driverError = await refusal(
      createDriverBulk(store, [
        { type: 'object', name: 'a', metadata: { label: 'A', fields: [] } },
        { type: 'object', name: 'b', metadata: { fields: 'none' } },
      ]),
    );
    expect(driverError.code).toBe('VALIDATION');
    expect(await eventCount()).toBe(before);
  });

  it('refuses a definition whose schema does not compile, or whose version goes down or changes silently', async () => {
    const bad = await refusal(store.defineType('view', { schema: { type: 'nonsense' } }));
    expect(bad.issues!.map((i) => i.path)).toEqual(['metadata.schema']);
    const silent = await refusal(store.defineType('object', { schema: z.object({ label: z.string() }) }));
    expect(silent.issues).toEqual([expect.objectContaining({ path: 'metadata.version' })]);
    await store.defineType('object', { schema: objectSchema, version: 1 }); // the same definition: nothing to write
    const invalid = await refusal(store.defineType('object', { schema: objectSchema, version: 0, references: [{ path: '', type: '' }] }));
    expect(invalid.issues!.map((i) => i.path).sort()).toEqual(['references.0.path', 'references.0.type', 'version']);
  });

  it('checks what revert, rollback and restore would write against the definitions as they are now', async () => {
    // written while the type was free; defined afterwards: the earlier state breaks the definition
    const created = await store.save('task', { name: 't1', metadata: { label: 'Call back' } });
    const prioritised = await store.save('task', { name: 't1', metadata: { label: 'Call back', priority: 1 } });
    await store.defineType('task', { schema: z.object({ label: z.string(), priority: z.number() }) });
    const before = await eventCount();
    const reverted = await refusal(store.revertChangeset(prioritised.changesetId!));
    expect(reverted).toMatchObject({ code: 'VALIDATION', issues: [expect.objectContaining({ path: 'task/t1:metadata.priority' })] });
    const rolledBack = await refusal(store.rollback('task', 't1', created.version));
    expect(rolledBack.issues!.map((i) => i.path)).toEqual(['task/t1:metadata.priority']);
    const restored = await refusal(store.restore({ position: created.position!, types: ['task'] }));
    expect(restored.issues!.map((i) => i.path)).toEqual(['task/t1:metadata.priority']);
    expect(await eventCount()).toBe(before);
    // a revert that leaves a valid payload goes through
    const relabelled = await store.save('task', { name: 't1', metadata: { label: 'Call back today', priority: 1 } });
    await expect(store.revertChangeset(relabelled.changesetId!)).resolves.toMatchObject({ revertChangesetId: expect.any(String) });
    expect((await store.load('task', 't1')).data?.metadata).toEqual({ label: 'Call back', priority: 1 });
  });
});

function createDriverBulk(on: MetadataStore, records: { type: string; name: string; metadata: Record<string, unknown> }[]) {
  return new MetadataDriver(on).bulkOperation({ operation: 'create', records, transactional: true });
}
