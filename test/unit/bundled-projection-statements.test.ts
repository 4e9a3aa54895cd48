import { describe, expect, it } from 'vitest';
import { describeTable } from '../../src/table/framework-metadata-table.js';
import * as projections from '../../projections/statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const table = '"app"."metadata_collection_info"';

describe('collection-info statements', () => {
  it('creates its table once, keyed by type and namespace', () => {
    const create = projections.createCollectionInfo(table);
    expectBound(create);
    expect(flat(create)).toBe(
      `CREATE TABLE IF NOT EXISTS ${table} ( type varchar(100) NOT NULL, namespace varchar(255) NOT NULL, count integer NOT NULL, PRIMARY KEY (type, namespace))`,
    );
  });

  it('adds deltas as three parallel arrays, then drops the pairs left empty', () => {
    const add = projections.addCollectionCounts(table, [
      { type: 'object', namespace: 'a', delta: 2 },
      { type: 'object', namespace: 'b', delta: -1 },
    ]);
    expectBound(add);
    expect(add.values).toEqual([
      ['object', 'object'],
      ['a', 'b'],
      [2, -1],
    ]);
    expect(flat(add)).toContain('SELECT * FROM unnest($1::text[], $2::text[], $3::int[])');
    expect(flat(add)).toContain('DO UPDATE SET count = t.count + excluded.count');
    expect(flat(projections.dropEmptyCollections(table))).toBe(`DELETE FROM ${table} WHERE count = 0`);
  });

  it('reads one row per type with its namespaces in order', () => {
    const read = projections.collectionInfo(table);
    expectBound(read);
    expect(flat(read)).toBe(
      `SELECT type, sum(count)::int AS count, array_agg(namespace ORDER BY namespace) AS namespaces FROM ${table} GROUP BY type ORDER BY type`,
    );
  });
});

describe('actor-activity statements', () => {
  it('creates its table and adds totals keeping the later last-change time', () => {
    expect(flat(projections.createActorActivity('t'))).toContain('PRIMARY KEY (actor, type))');
    const add = projections.addActorActivity('t', [{ actor: 'alice', type: 'object', events: 3, last: '2026-01-01T00:00:00Z' }]);
    expectBound(add);
    expect(add.values).toEqual([['alice'], ['object'], [3], ['2026-01-01T00:00:00Z']]);
    expect(flat(add)).toContain('SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])');
    expect(flat(add)).toContain('last_change_at = greatest(t.last_change_at, excluded.last_change_at)');
  });

  it('truncates any projection table by its name', () => {
    expectBound(projections.truncateProjection('t'));
    expect(projections.truncateProjection('"s"."t"').text).toBe('TRUNCATE "s"."t"');
  });
});

describe('framework-metadata statements', () => {
  const { columns } = describeTable({ columnMapping: { name: 'item_name' } }, 'app');

  it('removes rows by the mapped type and name columns', () => {
    const remove = projections.removeProjectedRows('p_t', columns, [{ type: 'object', name: 'a' }]);
    expectBound(remove);
    expect(remove.values).toEqual(['[{"type":"object","name":"a"}]']);
    expect(flat(remove)).toBe(
      `DELETE FROM p_t p USING jsonb_to_recordset($1::jsonb) AS k(type text, name text) WHERE p.${columns.type} = k.type AND p.${columns.name} = k.name`,
    );
  });

  it('upserts rows into the mapped columns, keeping who created a row and when', () => {
    const upsert = projections.upsertProjectedRows('p_t', columns, [{ type: 'object', name: 'a' }]);
    expectBound(upsert);
    expect(flat(upsert)).toContain(`INSERT INTO p_t AS p (${projections.upsertColumns(columns).join(', ')}) SELECT r.document->>'id'`);
    expect(flat(upsert)).toContain(`ON CONFLICT (${columns.type}, ${columns.name}) DO UPDATE SET`);
    expect(flat(upsert)).not.toContain(`${columns.createdAt} = excluded`);
  });
});
