import { describe, expect, it } from 'vitest';
import {
  allowedRelationsSql,
  catalogRowCountsSql,
  catalogsSql,
  describesRelations,
  isTemporarySql,
  persistentRelationsSql,
  readableSequencesSql,
  relationsLockedForWritingSql,
  releaseSequencePositionsSql,
  rollbackSequencePositionsSql,
  sequencePositionsSavepointSql,
  sequenceRowsSql,
  sequencesUsedByThisTransactionSql,
  setSequenceBackSql,
  writtenCatalogRowsSql,
} from '../../src/migrate/table/containment-statements.js';
import { describeTable } from '../../src/table/framework-metadata-table.js';

// The script guard's catalog reads run after a caller's script, which may have shadowed any name that is
// not schema-qualified: every function they call is pg_catalog's.

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

const table = describeTable({ name: 'meta' }, 'app');
const catalogs = [
  { name: 'pg_class', hasOid: true },
  { name: 'pg_proc', hasOid: true },
  { name: 'pg_namespace', hasOid: true },
  { name: 'pg_depend', hasOid: false },
  { name: 'pg_inherits', hasOid: false },
];
const every = [
  readableSequencesSql(),
  sequencesUsedByThisTransactionSql(),
  sequenceRowsSql(['"app"."s"']),
  setSequenceBackSql({ oid: 16384, lastValue: 7n, isCalled: true }),
  catalogsSql(),
  persistentRelationsSql(),
  relationsLockedForWritingSql(),
  catalogRowCountsSql(['pg_class']),
  allowedRelationsSql(table, [1]),
  writtenCatalogRowsSql(catalogs),
  isTemporarySql(1),
];

describe('script guard statements', () => {
  it('call built-in functions by their pg_catalog name only', () => {
    const builtIn = /(\S*?)\b(pg_[a-z_]+|to_reg[a-z]+|has_[a-z_]+_privilege|quote_ident|setval)\(/g;
    const calls = every.flatMap((text) => [...text.matchAll(builtIn)]);
    expect(calls.length).toBeGreaterThan(20);
    for (const [call, qualifier] of calls) expect(qualifier.endsWith('pg_catalog.'), call).toBe(true);
  });

  it('list the readable sequences, asking for the privilege only of sequences', () => {
    const all = flat(readableSequencesSql());
    expect(all).toContain(
      "WHERE CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT') ELSE false END AND true",
    );
    expect(all).toContain("pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name");
    const used = flat(sequencesUsedByThisTransactionSql());
    expect(used.startsWith(all.replace(/ AND true$/, ''))).toBe(true);
    expect(used).toContain('l.pid = pg_catalog.pg_backend_pid()');
    expect(used).toContain("AND l.relation = c.oid AND l.granted AND l.mode NOT IN ('AccessShareLock', 'RowShareLock'))");
  });

  it("read the sequences' rows by the names PostgreSQL quoted, tagged by position, and set one back", () => {
    expect(sequenceRowsSql(['"app"."a"', 'b.c'])).toBe(
      'SELECT 0 AS i, last_value::pg_catalog.text AS last_value, is_called FROM "app"."a" UNION ALL ' +
        'SELECT 1 AS i, last_value::pg_catalog.text AS last_value, is_called FROM b.c',
    );
    expect(setSequenceBackSql({ oid: 16384, lastValue: -9007199254740993n, isCalled: false })).toBe(
      'SELECT pg_catalog.setval(16384::pg_catalog.oid::pg_catalog.regclass, -9007199254740993, false)',
    );
    expect([sequencePositionsSavepointSql, releaseSequencePositionsSql, rollbackSequencePositionsSql]).toEqual([
      'SAVEPOINT metaledger_sequence_positions',
      'RELEASE SAVEPOINT metaledger_sequence_positions',
      'ROLLBACK TO SAVEPOINT metaledger_sequence_positions',
    ]);
  });

  it("read the server's catalogs, its persistent relations and this transaction's write locks (sequences aside)", () => {
    expect(flat(catalogsSql())).toContain("WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'r'");
    expect(flat(persistentRelationsSql())).toContain(
      "relkind IN ('i', 'I', 't') AS part FROM pg_catalog.pg_class WHERE relpersistence <> 't'",
    );
    const locks = flat(relationsLockedForWritingSql());
    expect(locks).toContain("WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted");
    expect(locks).toContain("AND l.mode NOT IN ('AccessShareLock', 'RowShareLock')");
    expect(locks).toMatch(/AND coalesce\(c\.relkind, ''\) <> 'S'$/);
  });

  it("count each catalog's rows deleted and written by this transaction", () => {
    const counts = catalogRowCountsSql(['pg_class', 'pg_proc']).split(' UNION ALL ').map(flat);
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe(
      "SELECT 'pg_proc' AS catalog, pg_catalog.pg_stat_get_xact_tuples_deleted('pg_catalog.pg_proc'::pg_catalog.regclass) AS deleted, " +
        "pg_catalog.pg_stat_get_xact_tuples_inserted('pg_catalog.pg_proc'::pg_catalog.regclass) + " +
        "pg_catalog.pg_stat_get_xact_tuples_updated('pg_catalog.pg_proc'::pg_catalog.regclass) AS written",
    );
  });

  it("allow the projection's relations, its logged backups and the seeds, with their parts", () => {
    const allowed = flat(allowedRelationsSql(table, [16384, 16390]));
    expect(allowed).toContain(`WHERE c.oid = pg_catalog.to_regclass('"app"."meta"')`);
    expect(allowed).toContain("OR c.oid = ANY('{16384,16390}'::pg_catalog.oid[])");
    expect(allowed).toContain(`OR (c.relnamespace = pg_catalog.to_regnamespace('"app"')`);
    expect(allowed).toContain(
      "AND c.relname IN (SELECT backup_name FROM metadata_migration_log WHERE target_schema = 'app' AND backup_name IS NOT NULL))",
    );
    expect(allowed).toContain('WITH RECURSIVE owned(oid) AS (');
    expect(flat(allowedRelationsSql(table, []))).toContain("ANY('{}'::pg_catalog.oid[])");
  });

  it('find catalog rows this transaction wrote, naming their relation, bookkeeping skipped and temporary objects exempt', () => {
    const text = writtenCatalogRowsSql(catalogs);
    expect(text.startsWith('WITH me AS (SELECT pg_catalog.pg_current_xact_id()::pg_catalog.text::pg_catalog.int8 AS top) ')).toBe(true);
    const parts = text.split(' UNION ALL ').map(flat);
    expect(parts.map((part) => /^(?:WITH .*?\) )?SELECT '(\w+)'/.exec(part)?.[1])).toEqual([
      'pg_class',
      'pg_proc',
      'pg_namespace',
      'pg_inherits',
    ]);
    expect(parts[0]).toContain('(x.oid)::pg_catalog.int8 AS relation');
    expect(parts[0]).toContain(
      "coalesce(pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass, x.oid, 0), 'pg_class row')",
    );
    expect(parts[0]).toContain("= 'in progress'");
    expect(parts[1]).toContain('(NULL::pg_catalog.oid)::pg_catalog.int8 AS relation');
    expect(parts[1]).toMatch(/AND NOT \(x\.pronamespace = pg_catalog\.pg_my_temp_schema\(\)\)$/);
    expect(parts[2]).toMatch(/AND NOT \(x\.nspname ~ '\^pg_\(toast_\)\?temp_'\)$/);
    expect(parts[3]).toContain("coalesce(NULL, 'pg_inherits row') AS object FROM me, pg_catalog.pg_inherits x WHERE");
    expect(parts[3]).toMatch(/'in progress'$/);
  });

  it('ask whether a relation is temporary, and which catalogs describe relations', () => {
    expect(isTemporarySql(16384)).toBe("SELECT relpersistence = 't' AS temp FROM pg_catalog.pg_class WHERE oid = 16384");
    expect(describesRelations('pg_class')).toBe(true);
    expect(describesRelations('pg_trigger')).toBe(true);
    expect(describesRelations('pg_proc')).toBe(false);
  });
});
