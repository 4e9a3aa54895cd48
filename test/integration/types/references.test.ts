import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isMetaledgerError, ReferencedError, type MetadataStore } from '../../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('type_references');
  store = await database.open();
  await store.defineType('object', { schema: z.object({ label: z.string() }) });
  await store.defineType('view', {
    schema: z.object({ object: z.string(), related: z.array(z.string()).optional() }),
    references: [
      { path: 'object', type: 'object' },
      { path: 'related', type: 'object' },
    ],
  });
});
afterAll(() => database.dispose());

const settle = (work: Promise<unknown>) =>
  work.then(
    () => 'ok' as const,
    (error: unknown) => error,
  );

describe('references declared by a type', () => {
  it('lists referrers and refuses to delete a referenced item, naming them (CONFLICT)', async () => {
    await store.save('object', { name: 'account', metadata: { label: 'Account' } });
    await store.save('object', { name: 'contact', metadata: { label: 'Contact' } });
    await store.save('view', { name: 'accounts', metadata: { object: 'account' } });
    await store.save('view', { name: 'people', metadata: { object: 'contact', related: ['account'] } });
    expect(await store.references('object', 'account')).toEqual([
      { type: 'view', name: 'accounts', path: 'object' },
      { type: 'view', name: 'people', path: 'related' },
    ]);
    const refused = await settle(store.delete('object', 'account'));
    expect(refused).toBeInstanceOf(ReferencedError);
    expect(refused).toMatchObject({ code: 'CONFLICT', referrers: [{ name: 'accounts' }, { name: 'people' }] });
    expect((refused as Error).message).toContain('view/accounts (object)');
    expect((await store.load('object', 'account')).data).not.toBeNull();
  });

  it('refuses a reference to an item that is not there (VALIDATION at the field)', async () => {
    const refused = await settle(store.save('view', { name: 'ghosts', metadata: { object: 'ghost' } }));
    expect(isMetaledgerError(refused, 'VALIDATION')).toBe(true);
    expect(refused).toMatchObject({ issues: [{ path: 'metadata.object', message: 'names object/ghost does not exist' }] });
    expect((await store.load('view', 'ghosts')).data).toBeNull();
  });

  it('deletes a referenced item with force, and the changeset says so', async () => {
    await store.save('object', { name: 'legacy', metadata: { label: 'Legacy' } });
    await store.save('view', { name: 'old', metadata: { object: 'legacy' } });
    await store.delete('object', 'legacy', { force: true, reason: 'retired' });
    expect((await store.load('object', 'legacy')).data).toBeNull();
    const [changeset] = await database.query<{ target: unknown }>(
      `SELECT c.target FROM metadata_changesets c JOIN metadata_events e ON e.changeset_id = c.id
       WHERE e.type = 'object' AND e.name = 'legacy' AND e.kind = 'deleted'`,
    );
    expect(changeset.target).toEqual({ references: 'force' });
    await expect(store.delete('object', 'account', { force: 'yes' as never })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('a delete of a referrer and its target in one bulk changeset goes through', async () => {
    await store.save('object', { name: 'pair', metadata: { label: 'Pair' } });
    await store.save('view', { name: 'pair-view', metadata: { object: 'pair' } });
    const { MetadataDriver } = await import('../../../src/index.js');
    const result = await new MetadataDriver(store).bulkOperation({
      operation: 'delete',
      records: [
        { type: 'object', name: 'pair' },
        { type: 'view', name: 'pair-view' },
      ],
    });
    expect(result.success).toBe(true);
  });

  it('checks every event of one append statement: a bulk call creating a target and its referrer goes through, one naming a missing item writes nothing', async () => {
    const { MetadataDriver } = await import('../../../src/index.js');
    const driver = new MetadataDriver(store);
    const together = await driver.bulkOperation({
      operation: 'create',
      records: [
        { type: 'object', name: 'batch-target', metadata: { label: 'Target' } },
        { type: 'view', name: 'batch-view', metadata: { object: 'batch-target' } },
      ],
    });
    expect(together.success).toBe(true);
    expect(await store.references('object', 'batch-target')).toEqual([{ type: 'view', name: 'batch-view', path: 'object' }]);

    const refused = await settle(
      driver.bulkOperation({
        operation: 'create',
        records: [
          { type: 'view', name: 'batch-fine', metadata: { object: 'batch-target' } },
          { type: 'view', name: 'batch-dangling', metadata: { object: 'batch-ghost', related: ['batch-target'] } },
        ],
      }),
    );
    expect(isMetaledgerError(refused, 'VALIDATION')).toBe(true);
    expect((await store.load('view', 'batch-fine')).data).toBeNull();
    expect((await store.load('view', 'batch-dangling')).data).toBeNull();

    const deleteRefused = await settle(driver.bulkOperation({ operation: 'delete', records: [{ type: 'object', name: 'batch-target' }] }));
    expect(deleteRefused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('object/batch-target is referenced by') });
    expect((await store.load('object', 'batch-target')).data).not.toBeNull();
  });

  it.each(['read_committed', 'serializable', 'repeatable_read'] as const)(
    'at %s, never leaves a dangling reference when deletes race saves that add references',
    async (isolation) => {
      const writers = await Promise.all(
        Array.from({ length: 4 }, () => database.open({ driver: { transaction: { defaultIsolation: isolation } } })),
      );
      for (let round = 0; round < 8; round++) {
        const target = `target-${isolation}-${round}`;
        await store.save('object', { name: target, metadata: { label: target } });
        const outcomes = await Promise.all([
          ...writers.map((writer, i) =>
            settle(writer.save('view', { name: `v-${isolation}-${round}-${i}`, metadata: { object: target } })),
          ),
          settle(writers[round % writers.length].delete('object', target)),
        ]);
        for (const outcome of outcomes) if (outcome !== 'ok') expect(isMetaledgerError(outcome)).toBe(true);
        const deleted = outcomes.at(-1) === 'ok';
        const referrers = await store.references('object', target);
        const alive = (await store.load('object', target, { cache: false })).data !== null;
        // either the delete won (no view names the target) or it was refused because views do
        if (deleted) expect(referrers).toEqual([]);
        else expect(alive && referrers.length > 0).toBe(true);
        expect(alive).toBe(!deleted);
      }
      const [{ n }] = await database.query<{ n: string }>(
        `SELECT count(*) AS n FROM metadata_streams v WHERE v.type = 'view' AND v.document IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM metadata_streams o WHERE o.type = 'object' AND o.name = v.document->'metadata'->>'object' AND o.document IS NOT NULL)
         AND v.name LIKE 'v-%'`,
      );
      expect(Number(n)).toBe(0);
    },
  );
});
