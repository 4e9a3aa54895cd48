import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTable } from '../../src/table/framework-metadata-table.js';
import { recordColumnsSql } from '../../src/table/table-sql.js';
import { allRecords, recordByKey, recordCountsByType, recordsPage } from '../../src/store/record-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const table = describeTable({ name: 'items', columnMapping: { type: 'kind' } }, 'app');
const c = table.columns;
const select = `SELECT ${recordColumnsSql(table)} FROM ${table.qualifiedName} p`;

describe('record statements', () => {
  it('loads one record by its mapped type and name columns, with one text per table', () => {
    const load = recordByKey(table, 'object', 'a');
    expectBound(load);
    expect(load.values).toEqual(['object', 'a']);
    expect(flat(load)).toBe(`${select} WHERE p.${c.type} = $1 AND p.${c.name} = $2`);
    expect(recordByKey(table, 'schema', 'b').text).toBe(load.text);
  });

  it('reads every record without values', () => {
    expectBound(allRecords(table));
    expect(flat(allRecords(table))).toBe(select);
  });

  it('counts by type, narrowed to what a principal may read only when one is given', () => {
    const all = recordCountsByType(table);
    expectBound(all);
    expect(flat(all)).toBe(
      `SELECT p.${c.type} AS type, count(*) AS count FROM ${table.qualifiedName} p GROUP BY p.${c.type} ORDER BY p.${c.type}`,
    );
    const readable = recordCountsByType(table, 'alice');
    expectBound(readable);
    expect(readable.values).toEqual(['alice']);
    expect(flat(readable)).toContain(`p WHERE p.${c.scope} <> 'user' OR p.${c.owner} = $1 GROUP BY`);
  });

  it('pages one type in name order, each given filter bound in field order, then limit and offset', () => {
    const page = recordsPage(table, 'object', { owner: 'alice', namespace: 'n', limit: 10 });
    expectBound(page);
    expect(page.values).toEqual(['object', 'n', 'alice', 10, 0]);
    expect(flat(page)).toBe(
      `${select} WHERE p.${c.type} = $1 AND p.${c.namespace} = $2 AND p.${c.owner} = $3 ORDER BY p.${c.name} LIMIT $4 OFFSET $5`,
    );
    expect(recordsPage(table, 'object').values).toEqual(['object', null, 0]);
  });

  it('numbers whatever subset of filters is given without a hole', () => {
    const optional = fc.option(fc.constant('x'), { nil: undefined });
    fc.assert(
      fc.property(optional, optional, optional, optional, (namespace, scope, state, owner) => {
        expectBound(recordsPage(table, 't', { namespace, scope, state, owner }));
      }),
    );
  });
});
