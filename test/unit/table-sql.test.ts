import { describe, expect, it } from 'vitest';
import { createTableSql, describeTable } from '../../src/table/framework-metadata-table.js';
import { rebuildTableSql, recordColumnsSql } from '../../src/table/table-sql.js';

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('projection table DDL and rebuild', () => {
  const table = describeTable(
    { name: 'meta', columnMapping: { type: 'kind' }, indexes: [{ name: 'by_kind', fields: ['kind', 'name'] }] },
    'app',
  );

  it('creates schema, table and indexes idempotently, every name quoted', () => {
    const ddl = flat(createTableSql(table));
    expect(ddl.startsWith('CREATE SCHEMA IF NOT EXISTS "app"; CREATE TABLE IF NOT EXISTS "app"."meta" (')).toBe(true);
    expect(ddl).toContain(`PRIMARY KEY (${table.primaryKey}), CONSTRAINT ${table.uniqueKeyName} UNIQUE ("kind", "name") );`);
    expect(ddl).toContain('CREATE INDEX IF NOT EXISTS "by_kind" ON "app"."meta" USING btree ("kind", "name");');
    for (const index of table.indexes) expect(ddl).toContain(`INDEX IF NOT EXISTS ${index.name} ON "app"."meta"`);
  });

  it('refills the projection from the streams, live items only, into the mapped columns', () => {
    const rebuild = flat(rebuildTableSql(table));
    expect(rebuild.startsWith('TRUNCATE "app"."meta"; INSERT INTO "app"."meta" ("id", "name", "kind",')).toBe(true);
    expect(rebuild).toContain('FROM metadata_streams s');
    expect(rebuild).toMatch(/WHERE s\.document IS NOT NULL;$/);
    expect(rebuild).toContain("d.kind = 'deleted'), 0) ORDER BY e.version LIMIT 1 ) created ON true");
  });

  it('reads rows back under the record field names', () => {
    expect(recordColumnsSql(table, 'q')).toContain('q."kind" AS "type"');
  });
});
