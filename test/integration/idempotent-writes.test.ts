import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

describe('the changeset id is a write’s idempotency key', () => {
  let database: TestDatabase;
  let store: MetadataStore;
  const eventsOf = async (name: string) =>
    (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM metadata_events WHERE name = $1', [name]))[0].n;

  beforeAll(async () => {
    database = await createTestDatabase('idempotent');
    store = await database.open();
  });
  afterAll(() => database.dispose());

  it('a save re-sent with its changeset id returns the original outcome and writes nothing', async () => {
    const changesetId = randomUUID();
    const first = await store.save('object', { name: 'once', metadata: { n: 1 } }, { changesetId });
    expect(first).toMatchObject({ version: 1, created: true, changesetId, replayed: false });
    const again = await store.save('object', { name: 'once', metadata: { n: 1 } }, { changesetId });
    expect(again).toMatchObject({ version: 1, created: true, changesetId, replayed: true, position: first.position });
    // even when the item moved on since: the re-send is the same write, not a new one
    await store.save('object', { name: 'once', metadata: { n: 2 } });
    const late = await store.save('object', { name: 'once', metadata: { n: 1 } }, { changesetId });
    expect(late).toMatchObject({ version: 1, replayed: true });
    expect(await eventsOf('once')).toBe(2);
  });

  it('update and delete take the key too', async () => {
    await store.save('object', { name: 'keyed', metadata: { n: 0 } });
    const changesetId = randomUUID();
    const bump = (current: { metadata: Record<string, unknown> }) => ({ ...current, metadata: { n: (current.metadata.n as number) + 1 } });
    await store.update('object', 'keyed', bump, { changesetId });
    const again = await store.update('object', 'keyed', bump, { changesetId });
    expect(again).toMatchObject({ version: 2, replayed: true });
    expect((await store.load('object', 'keyed', { cache: false })).data?.metadata).toEqual({ n: 1 });
    const deletion = randomUUID();
    await store.delete('object', 'keyed', { changesetId: deletion });
    expect(await store.delete('object', 'keyed', { changesetId: deletion })).toMatchObject({ version: 3, replayed: true });
    expect(await eventsOf('keyed')).toBe(3);
  });

  it('many concurrent sends of one write apply it exactly once, and all report its outcome', async () => {
    for (let round = 0; round < 5; round++) {
      const changesetId = randomUUID();
      const name = `raced_${round}`;
      const results = await Promise.all(
        Array.from({ length: 16 }, () => store.save('object', { name, metadata: { n: 1 } }, { changesetId })),
      );
      for (const result of results) expect(result).toMatchObject({ version: 1, created: true, changesetId });
      expect(results.filter((result) => !result.replayed).length).toBeLessThanOrEqual(1);
      expect(await eventsOf(name)).toBe(1);
    }
  });

  it('a changeset id already used by another item is a conflict, and writes nothing', async () => {
    const changesetId = randomUUID();
    await store.save('object', { name: 'owner', metadata: {} }, { changesetId });
    const error = await store.save('object', { name: 'intruder', metadata: {} }, { changesetId }).catch((caught: unknown) => caught);
    expect(isMetaledgerError(error, 'CONFLICT')).toBe(true);
    expect(await eventsOf('intruder')).toBe(0);
  });

  it('a changeset id that is not a UUID is refused with VALIDATION, before anything is written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          fc.uuid().map((id) => `${id}x`),
        ),
        async (changesetId) => {
          const error = await store
            .save('object', { name: 'never', metadata: {} }, { changesetId: changesetId as string })
            .catch((caught: unknown) => caught);
          expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    expect(await eventsOf('never')).toBe(0);
  });
});
