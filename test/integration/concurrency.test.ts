import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let stores: MetadataStore[];

const writers = 32;
const incrementsPerWriter = 50;

beforeAll(async () => {
  database = await createTestDatabase('concurrency');
  // several stores = several pools; on PostgreSQL the writers really run in parallel
  stores = await Promise.all([1, 2, 3, 4].map(() => database.open({ driver: { transaction: { maxRetries: 100 } } })));
});
afterAll(() => database.dispose());

/** Retries a whole operation when it still lost after the store's own retries, as a caller would. */
async function persist<T>(operation: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isMetaledgerError(error, 'CONFLICT')) throw error;
    }
  }
}

async function versionsOf(name: string): Promise<number[]> {
  const rows = await database.query<{ version: number }>(
    `SELECT version FROM metadata_events WHERE type = 'counter' AND name = $1 ORDER BY version`,
    [name],
  );
  return rows.map((row) => row.version);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('many concurrent writers', () => {
  it(`${writers} writers × ${incrementsPerWriter} increments of one item lose no update and leave versions 1..N`, async () => {
    await stores[0].save('counter', { name: 'hot', metadata: { count: 0 } }, { expectedVersion: 0 });
    await Promise.all(
      range(writers).map(async (writer) => {
        const store = stores[writer % stores.length];
        for (let i = 0; i < incrementsPerWriter; i++) {
          await persist(() =>
            store.update('counter', 'hot', (current) => ({ ...current, metadata: { count: (current.metadata.count as number) + 1 } }), {
              actor: `writer-${writer}`,
            }),
          );
        }
      }),
    );
    const total = writers * incrementsPerWriter;
    const loaded = await stores[0].load('counter', 'hot', { cache: false });
    expect(loaded.data?.metadata.count).toBe(total);
    expect(loaded.data?.version).toBe(total + 1);
    expect(await versionsOf('hot')).toEqual(range(total + 1));
    const [head] = await database.query<{ version: number }>(
      `SELECT version FROM metadata_streams WHERE type = 'counter' AND name = 'hot'`,
    );
    expect(head.version).toBe(total + 1);
  });

  it('concurrent blind saves with expectedVersion: exactly one writer wins each version', async () => {
    await stores[0].save('counter', { name: 'race', metadata: { winner: null } }, { expectedVersion: 0 });
    const outcomes = await Promise.allSettled(
      range(16).map((writer) =>
        stores[writer % stores.length].save('counter', { name: 'race', metadata: { winner: writer } }, { expectedVersion: 1 }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const loss of lost)
      expect((loss as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, actualVersion: 2 });
    expect(await versionsOf('race')).toEqual([1, 2]);
  });

  it('concurrent creates of one new item: one creates it, the others update it, versions have no gap', async () => {
    const results = await Promise.all(
      range(16).map((writer) =>
        persist(() => stores[writer % stores.length].save('counter', { name: 'fresh', metadata: { by: writer } }, { actor: `w${writer}` })),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const versions = await versionsOf('fresh');
    expect(versions).toEqual(range(versions.length));
    const [row] = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM _framework_metadata WHERE type = 'counter' AND name = 'fresh'`,
    );
    expect(row.n).toBe(1);
  });

  it('concurrent writers on distinct items: every save lands once', async () => {
    await Promise.all(
      range(writers).map(async (writer) => {
        for (let i = 0; i < 10; i++)
          await stores[writer % stores.length].save('counter', { name: `item_${writer}_${i}`, metadata: { i } }, { expectedVersion: 0 });
      }),
    );
    const [row] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_events WHERE name LIKE 'item\\_%'`);
    expect(row.n).toBe(writers * 10);
    expect((await stores[0].list('counter')).filter((r) => r.name.startsWith('item_'))).toHaveLength(writers * 10);
  });
});
