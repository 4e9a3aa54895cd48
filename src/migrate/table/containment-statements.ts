import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { regclassLiteral } from './table-statements.js';

// The catalog reads of the migration script guard (containment.ts, sequence-rewinds.ts), run as script
// text in the migration's transaction after a caller's script may have shadowed names: only built-in
// objects, schema-qualified. Names are validated identifiers or come from the catalogs themselves.

// ---- sequences (sequence-rewinds.ts) ----

/** Sequences this role may read, with their steps (what "back" means for each). */
const readableSequences = (where: string) => `
  SELECT c.oid::pg_catalog.int8 AS oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name,
         s.seqincrement::pg_catalog.text AS increment
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  -- has_sequence_privilege fails on any other relation: asked only of sequences, whatever the plan's order
  WHERE CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT') ELSE false END AND ${where}`;

/** Sequences this transaction holds a RowExclusiveLock (or stronger) on. */
const usedByThisTransaction = `EXISTS (
  SELECT 1 FROM pg_catalog.pg_locks l
  WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.relation = c.oid AND l.granted
    AND l.mode NOT IN ('AccessShareLock', 'RowShareLock'))`;

/** Every sequence this role may read: rows of `oid`, `name` (quoted by PostgreSQL) and `increment`. */
export function readableSequencesSql(): string {
  return readableSequences('true');
}

/** The sequences of readableSequencesSql this transaction used (nextval, setval, currval lock them until commit). */
export function sequencesUsedByThisTransactionSql(): string {
  return readableSequences(usedByThisTransaction);
}

/**
 * Each sequence's own row (`last_value`, `is_called`), tagged `i` by its place in `names` (as
 * readableSequencesSql returns them, quoted by PostgreSQL): only an AccessShareLock on each.
 */
export function sequenceRowsSql(names: string[]): string {
  return names.map((name, i) => `SELECT ${i} AS i, last_value::pg_catalog.text AS last_value, is_called FROM ${name}`).join(' UNION ALL ');
}

/** Bracket the reading of the sequences' positions, which another session's DROP SEQUENCE can make fail. */
export const sequencePositionsSavepointSql = 'SAVEPOINT metaledger_sequence_positions';
export const releaseSequencePositionsSql = 'RELEASE SAVEPOINT metaledger_sequence_positions';
export const rollbackSequencePositionsSql = 'ROLLBACK TO SAVEPOINT metaledger_sequence_positions';

/** Puts a sequence (by oid) back to a position read before: the arguments setval takes. */
export function setSequenceBackSql(position: { oid: number; lastValue: bigint; isCalled: boolean }): string {
  const { oid, lastValue, isCalled } = position;
  return `SELECT pg_catalog.setval(${oid}::pg_catalog.oid::pg_catalog.regclass, ${lastValue}, ${isCalled})`;
}

// ---- relations and catalog rows (containment.ts) ----

/** Catalogs whose rows describe one relation: the expression naming it (null: the row is not a relation's). */
const relationOf: Record<string, string> = {
  pg_class: 'x.oid',
  pg_attribute: 'x.attrelid',
  pg_attrdef: 'x.adrelid',
  pg_constraint: 'nullif(x.conrelid, 0)',
  pg_index: 'x.indexrelid',
  pg_statistic: 'x.starelid',
  pg_statistic_ext: 'x.stxrelid',
  pg_sequence: 'x.seqrelid',
  pg_inherits: 'x.inhrelid',
  pg_partitioned_table: 'x.partrelid',
  pg_description: `CASE WHEN x.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN x.objoid END`,
  // a trigger written by hand runs on every later save: only the ones PostgreSQL makes for constraints count as the table's
  pg_trigger: 'CASE WHEN x.tgisinternal THEN x.tgrelid END',
  pg_type: `CASE WHEN x.typrelid <> 0 THEN x.typrelid ELSE (SELECT e.typrelid FROM pg_catalog.pg_type e WHERE e.oid = x.typelem AND e.typrelid <> 0) END`,
  pg_depend: 'NULL::oid',
  pg_shdepend: 'NULL::oid',
};
/** Bookkeeping rows every DDL writes, judged through the objects they link. */
const bookkeeping = new Set(['pg_depend', 'pg_shdepend']);
/** Temporary objects die with the script's connection; the namespace holding them may be made on first use. */
const exempt: Record<string, string> = {
  pg_namespace: `x.nspname ~ '^pg_(toast_)?temp_'`,
  pg_proc: 'x.pronamespace = pg_catalog.pg_my_temp_schema()',
  pg_type: 'x.typnamespace = pg_catalog.pg_my_temp_schema()',
};

/** Whether a catalog's rows describe relations (judged by the relations' locks, not by rows deleted). */
export const describesRelations = (catalog: string): boolean => catalog in relationOf;

/** A catalog of this server, and whether its rows have an oid (pg_describe_object can name them). */
export interface CatalogInfo {
  name: string;
  hasOid: boolean;
}

/** The catalogs of this server (every table in pg_catalog): `name`, `readable` by this role, `hasOid`. */
export function catalogsSql(): string {
  return `SELECT c.relname AS name, pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable,
            EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'oid') AS "hasOid"
     FROM pg_catalog.pg_class c WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'r' ORDER BY 1`;
}

/** Every relation that is not temporary: `oid`, `name`, and whether it is a `part` (an index or TOAST table). */
export function persistentRelationsSql(): string {
  return `SELECT oid::pg_catalog.int8 AS oid, oid::pg_catalog.regclass::pg_catalog.text AS name, relkind IN ('i', 'I', 't') AS part
     FROM pg_catalog.pg_class WHERE relpersistence <> 't'`;
}

/**
 * Relations this transaction holds locked for writing (sequences aside, see sequence-rewinds.ts): `oid`,
 * whether still `present`, `temp`, `system` (pg_catalog, pg_toast) and its `name`.
 */
export function relationsLockedForWritingSql(): string {
  return `
  SELECT l.relation::pg_catalog.int8 AS oid, c.oid IS NOT NULL AS present, coalesce(c.relpersistence = 't', false) AS temp,
         coalesce(c.relnamespace IN ('pg_catalog'::pg_catalog.regnamespace, 'pg_toast'::pg_catalog.regnamespace), false) AS system,
         coalesce(c.oid::pg_catalog.regclass::pg_catalog.text, '') AS name
  FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
  WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
    AND l.mode NOT IN ('AccessShareLock', 'RowShareLock')
    -- drawing from a sequence takes such a lock too: sequences are judged by whether they moved back (sequence-rewinds.ts)
    AND coalesce(c.relkind, '') <> 'S'`;
}

/** Rows this transaction `deleted`, and inserted or updated (`written`), so far in each of these catalogs. */
export function catalogRowCountsSql(catalogs: string[]): string {
  return catalogs
    .map(
      (catalog) =>
        `SELECT '${catalog}' AS catalog, pg_catalog.pg_stat_get_xact_tuples_deleted('pg_catalog.${catalog}'::pg_catalog.regclass) AS deleted,
                pg_catalog.pg_stat_get_xact_tuples_inserted('pg_catalog.${catalog}'::pg_catalog.regclass)
                + pg_catalog.pg_stat_get_xact_tuples_updated('pg_catalog.${catalog}'::pg_catalog.regclass) AS written`,
    )
    .join(' UNION ALL ');
}

const quoteName = (name: string) => `"${name}"`;
// only validated identifiers reach here (FrameworkMetadataTable): they hold no quote
const literal = (text: string) => `'${text}'`;

/**
 * The projection table's own relations (itself, indexes, TOAST, owned sequences), its backups recorded in
 * metadata_migration_log, and the relations `seeds` (by oid), with their parts: rows of `oid`.
 */
export function allowedRelationsSql(table: FrameworkMetadataTable, seeds: Iterable<number>): string {
  return `
    WITH RECURSIVE owned(oid) AS (
      SELECT c.oid FROM pg_catalog.pg_class c
      WHERE c.oid = pg_catalog.to_regclass(${regclassLiteral(table.qualifiedName)})
         OR c.oid = ANY('{${[...seeds].join(',')}}'::pg_catalog.oid[])
         OR (c.relnamespace = pg_catalog.to_regnamespace(${regclassLiteral(quoteName(table.schema))})
             AND c.relname IN (SELECT backup_name FROM metadata_migration_log WHERE target_schema = ${literal(table.schema)} AND backup_name IS NOT NULL))
      UNION
      SELECT x.oid FROM owned o, LATERAL (
        SELECT i.indexrelid AS oid FROM pg_catalog.pg_index i WHERE i.indrelid = o.oid
        UNION ALL SELECT c.reltoastrelid FROM pg_catalog.pg_class c WHERE c.oid = o.oid AND c.reltoastrelid <> 0
        UNION ALL SELECT d.objid FROM pg_catalog.pg_depend d
          WHERE d.refobjid = o.oid AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      ) x
    )
    SELECT oid::pg_catalog.int8 AS oid FROM owned`;
}

/**
 * Catalog rows this transaction created or changed (a row version's xmin is ours when that transaction is
 * still in progress), in the catalogs given: `catalog`, the `relation` a row describes, the `object` named.
 */
export function writtenCatalogRowsSql(catalogsToRead: CatalogInfo[]): string {
  // our xids (the transaction's and its subtransactions') are at least its own; others' that are visible have committed
  const ours = `x.xmin::pg_catalog.text::pg_catalog.int8 >= me.top % 4294967296
    AND pg_catalog.pg_xact_status(((me.top >> 32 << 32) + x.xmin::pg_catalog.text::pg_catalog.int8)::pg_catalog.text::pg_catalog.xid8) = 'in progress'`;
  const parts = catalogsToRead
    .filter(({ name }) => !bookkeeping.has(name))
    .map(({ name, hasOid }) => {
      const relation = relationOf[name] ?? 'NULL::pg_catalog.oid';
      const described = hasOid ? `pg_catalog.pg_describe_object('pg_catalog.${name}'::pg_catalog.regclass, x.oid, 0)` : 'NULL';
      return `SELECT '${name}' AS catalog, (${relation})::pg_catalog.int8 AS relation, coalesce(${described}, '${name} row') AS object
              FROM me, pg_catalog.${name} x WHERE ${ours}${exempt[name] ? ` AND NOT (${exempt[name]})` : ''}`;
    });
  return `WITH me AS (SELECT pg_catalog.pg_current_xact_id()::pg_catalog.text::pg_catalog.int8 AS top) ${parts.join(' UNION ALL ')}`;
}

/** Whether the relation of this oid is temporary: one row, `temp` (none when it is gone). */
export function isTemporarySql(oid: number): string {
  return `SELECT relpersistence = 't' AS temp FROM pg_catalog.pg_class WHERE oid = ${oid}`;
}
