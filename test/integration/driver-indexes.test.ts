import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, sqlOf } from './driver-fixtures.js';

let fixtures: DriverFixtures;
let driver: MetadataDriver;

const rows = 100_000;

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_indexes'));
  driver = await fixtures.shared();
  // 100 types, 1000 namespaces, 1% system scope, 1% deprecated, 1000 distinct tags: every filter below is selective
  await sqlOf(
    driver,
    `
    INSERT INTO _framework_metadata (id, name, type, namespace, scope, metadata, strategy, state, version, created_at, updated_at)
    SELECT 'id_' || i, 'item_' || i, 'type_' || (i % 100), 'ns_' || (i % 1000),
           CASE WHEN i % 100 = 0 THEN 'system' ELSE 'platform' END,
           jsonb_build_object('n', i, 'tags', jsonb_build_array('tag_' || (i % 1000), 'all')),
           'merge', CASE WHEN i % 100 = 1 THEN 'deprecated' ELSE 'active' END, 1, now(), now()
    FROM generate_series(1, ${rows}) AS i`,
  );
  // statistics from every row, not a random sample: the planner's choice (which the tests read) is then
  // the same on every run
  await sqlOf(driver, 'ALTER TABLE _framework_metadata ALTER COLUMN metadata SET STATISTICS 10000');
  await sqlOf(driver, 'ANALYZE _framework_metadata');
});
afterAll(() => fixtures.dispose());

const plan = async (target: MetadataDriver, filters: object) => (await target.explain({ filters } as never)).join('\n');

describe(`index use on ${rows} rows`, () => {
  it('answers the filters correctly', async () => {
    expect((await driver.query({ filters: { type: 'type_7' } })).total).toBe(1000);
    expect((await driver.query({ filters: { namespace: 'ns_42' } })).total).toBe(100);
    expect((await driver.query({ filters: { scope: 'system' } })).total).toBe(1000);
    expect((await driver.query({ filters: { state: 'deprecated' } })).total).toBe(1000);
    expect((await driver.query({ filters: { custom: { tags: { $contains: 'tag_5' } } } })).total).toBe(100);
  });

  it('type, namespace, scope and state filters use their indexes', async () => {
    /** The filter is an index condition of one of `indexes`, and no table is scanned whole. */
    const usesIndex = async (filters: object, column: string, indexes: RegExp) => {
      const text = await plan(driver, filters);
      expect(text, text).toMatch(new RegExp(`Index Cond: \\(+${column}\\)::text = `));
      expect(text, text).toMatch(indexes);
      expect(text, text).not.toContain('Seq Scan');
    };
    // the unique (type, name) index also serves a type filter, and the default (type, name) order with it
    await usesIndex({ type: 'type_7' }, 'type', /(idx_type|unique_type_name)/);
    await usesIndex({ type: ['type_7', 'type_8'] }, 'type', /(idx_type|unique_type_name)/);
    await usesIndex({ namespace: 'ns_42' }, 'namespace', /idx_namespace/);
    await usesIndex({ scope: 'system' }, 'scope', /idx_scope/);
    await usesIndex({ state: 'deprecated' }, 'state', /idx_state/);
  });

  it('$contains (and $eq as its pre-filter) use the GIN index on metadata', async () => {
    // sorted by a metadata path, no btree index offers the order, so the plan shows how the filter is
    // found (under the default (type, name) order the planner may instead walk idx_type and filter)
    const byPayload = async (filters: object) =>
      (await driver.explain({ filters, sort: [{ field: 'metadata.n', order: 'asc' }] } as never)).join('\n');
    expect(await byPayload({ custom: { tags: { $contains: 'tag_5' } } })).toMatch(/Bitmap Index Scan on idx_metadata/);
    expect(await byPayload({ custom: { tags: { $contains: ['tag_5', 'all'] } } })).toMatch(/Bitmap Index Scan on idx_metadata/);
    expect(await byPayload({ custom: { n: 4242 } })).toMatch(/Bitmap Index Scan on idx_metadata/);
    expect((await driver.query({ filters: { custom: { n: 4242 } } })).records.map((r) => r.name)).toEqual(['item_4242']);
  });

  it('query.useIndexes: false scans the table instead, with the same answer', async () => {
    const scanning = new MetadataDriver(driver.store, { query: { useIndexes: false } });
    for (const filters of [{ type: 'type_7' }, { namespace: 'ns_42' }, { custom: { tags: { $contains: 'tag_5' } } }]) {
      const scanned = await plan(scanning, filters);
      expect(scanned).toContain('Seq Scan');
      expect(scanned).not.toMatch(/Index/);
    }
    expect((await scanning.query({ filters: { namespace: 'ns_42' } })).total).toBe(100);
    // the setting was local to the query's transaction
    expect(await plan(driver, { namespace: 'ns_42' })).toContain('idx_namespace');
  });
});
