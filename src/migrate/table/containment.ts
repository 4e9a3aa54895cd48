import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { MetaledgerError } from '../../errors.js';
import type { MigrationTx } from './migration-transaction.js';
import { regclassLiteral } from './table-statements.js';
import { rewoundSequences, sequencePositions, setBack, type SequencePosition } from './sequence-rewinds.js';

/**
 * Whether a migration script stayed inside the projection table it names, judged in its own transaction
 * before commit from what that transaction did — never from what other sessions do meanwhile:
 * - relations it locked for writing (a write, TRUNCATE, ALTER, DROP, CREATE TRIGGER, … takes such a
 *   lock until commit), which must be the projection table, its indexes, TOAST and sequences, its
 *   backups, temporary tables or relations it created and dropped again;
 * - catalog rows it created or changed (their xmin is this transaction's): functions, schemas, rules,
 *   policies, triggers, types, grants and every other catalog object, unless they belong to one of the
 *   relations above (a new column or index of the projection table, say); user triggers never do;
 * - catalog rows it deleted (a dropped function, schema, …), counted per catalog;
 * - sequences it moved back (sequence-rewinds.ts; moving one forward, or drawing from it, only leaves a gap).
 */

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

export interface ContainmentBaseline {
  /** Relations that existed before the script, by oid, with their names. */
  relations: Map<number, string>;
  /** Which of them are indexes or TOAST tables: named last, after the tables they belong to. */
  parts: Set<number>;
  /** Relations this transaction had locked for writing before the script (the operation's own work). */
  lockedBefore: Set<number>;
  /** Rows deleted, and inserted or updated, so far by this transaction, per catalog. */
  deleted: Map<string, number>;
  written: Map<string, number>;
  /** Where sequences stood, to set back any the script rewound. */
  sequences: Map<number, SequencePosition>;
  /** The projection table's relations and backups before the script (a script may drop them). */
  allowedBefore: Set<number>;
  /** Catalogs this role may read row by row; the others are judged by counts. */
  readable: CatalogInfo[];
  unreadable: string[];
}

// only built-in functions, schema-qualified: a script may have shadowed other names
const ourLocks = `
  SELECT l.relation::pg_catalog.int8 AS oid, c.oid IS NOT NULL AS present, coalesce(c.relpersistence = 't', false) AS temp,
         coalesce(c.relnamespace IN ('pg_catalog'::pg_catalog.regnamespace, 'pg_toast'::pg_catalog.regnamespace), false) AS system,
         coalesce(c.oid::pg_catalog.regclass::pg_catalog.text, '') AS name
  FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
  WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
    AND l.mode NOT IN ('AccessShareLock', 'RowShareLock')
    -- drawing from a sequence takes such a lock too: sequences are judged by whether they moved back (sequence-rewinds.ts)
    AND coalesce(c.relkind, '') <> 'S'`;

const deletedCounts = (catalogs: string[]) =>
  catalogs
    .map(
      (catalog) =>
        `SELECT '${catalog}' AS catalog, pg_catalog.pg_stat_get_xact_tuples_deleted('pg_catalog.${catalog}'::pg_catalog.regclass) AS deleted,
                pg_catalog.pg_stat_get_xact_tuples_inserted('pg_catalog.${catalog}'::pg_catalog.regclass)
                + pg_catalog.pg_stat_get_xact_tuples_updated('pg_catalog.${catalog}'::pg_catalog.regclass) AS written`,
    )
    .join(' UNION ALL ');

interface CatalogInfo {
  name: string;
  hasOid: boolean;
}

/** The catalogs of this server (every table in pg_catalog), split by whether this role may read them. */
async function catalogs(tx: MigrationTx): Promise<{ readable: CatalogInfo[]; unreadable: string[] }> {
  const rows = await tx.rows<CatalogInfo & { readable: boolean }>(
    `SELECT c.relname AS name, pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable,
            EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'oid') AS "hasOid"
     FROM pg_catalog.pg_class c WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'r' ORDER BY 1`,
  );
  return {
    readable: rows.filter((r) => r.readable).map(({ name, hasOid }) => ({ name, hasOid })),
    unreadable: rows.filter((r) => !r.readable).map((r) => r.name),
  };
}

/** Taken right before a script runs, in its transaction. */
export async function containmentBaseline(tx: MigrationTx, table: FrameworkMetadataTable): Promise<ContainmentBaseline> {
  const { readable, unreadable } = await catalogs(tx);
  const relations = await tx.rows<{ oid: number; name: string; part: boolean }>(
    `SELECT oid::pg_catalog.int8 AS oid, oid::pg_catalog.regclass::pg_catalog.text AS name, relkind IN ('i', 'I', 't') AS part
     FROM pg_catalog.pg_class WHERE relpersistence <> 't'`,
  );
  const locks = await tx.rows<{ oid: number }>(ourLocks);
  const deleted = await tx.rows<{ catalog: string; deleted: number; written: number }>(
    deletedCounts([...readable.map((c) => c.name), ...unreadable]),
  );
  const lockedBefore = new Set(locks.map((l) => Number(l.oid)));
  return {
    relations: new Map(relations.map((r) => [Number(r.oid), r.name])),
    parts: new Set(relations.filter((r) => r.part).map((r) => Number(r.oid))),
    lockedBefore,
    allowedBefore: await allowedRelations(tx, table, lockedBefore),
    deleted: new Map(deleted.map((d) => [d.catalog, Number(d.deleted)])),
    written: new Map(deleted.map((d) => [d.catalog, Number(d.written)])),
    sequences: await sequencePositions(tx),
    readable,
    unreadable,
  };
}

/**
 * The projection table's own relations (itself, indexes, TOAST, owned sequences), its recorded backups,
 * and what the operation itself wrote before the script (a backup it took), with their parts.
 */
async function allowedRelations(tx: MigrationTx, table: FrameworkMetadataTable, seeds: Set<number>): Promise<Set<number>> {
  const rows = await tx.rows<{ oid: number }>(`
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
    SELECT oid::pg_catalog.int8 AS oid FROM owned`);
  return new Set(rows.map((r) => Number(r.oid)));
}

const quoteName = (name: string) => `"${name}"`;
// only validated identifiers reach here (FrameworkMetadataTable): they hold no quote
const literal = (text: string) => `'${text}'`;

/** Catalog rows this transaction created or changed: a row version's xmin is ours when that transaction is still in progress. */
function writtenRows(catalogsToRead: CatalogInfo[]): string {
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

/**
 * Right after a script, in its transaction: refuses (MIGRATION_FAILED, so the transaction rolls back)
 * anything it did outside the projection table, naming what; sets back sequences it rewound.
 */
export async function assertContained(tx: MigrationTx, table: FrameworkMetadataTable, before: ContainmentBaseline): Promise<void> {
  const allowed = await allowedRelations(tx, table, before.lockedBefore);
  const isAllowed = (oid: number) => allowed.has(oid) || before.allowedBefore.has(oid);
  const found: string[] = [];
  const parts: string[] = [];
  for (const lock of await tx.rows<{ oid: number; present: boolean; temp: boolean; system: boolean; name: string }>(ourLocks)) {
    const oid = Number(lock.oid);
    if (lock.system || lock.temp || isAllowed(oid)) continue;
    const finding = lock.present
      ? `${before.relations.has(oid) ? 'wrote or altered' : 'created'} ${lock.name}`
      : before.relations.has(oid) && `dropped ${before.relations.get(oid)}`;
    if (finding) (before.parts.has(oid) ? parts : found).push(finding);
  }
  const written = await tx.rows<{ catalog: string; relation: number | null; object: string }>(writtenRows(before.readable));
  for (const row of written) {
    if (row.relation !== null && isAllowed(Number(row.relation))) continue;
    if (row.relation !== null && (await isTemporary(tx, Number(row.relation)))) continue;
    found.push(`created or changed ${row.object}`);
  }
  const counts = await tx.rows<{ catalog: string; deleted: number; written: number }>(
    deletedCounts([...before.readable.map((c) => c.name), ...before.unreadable]),
  );
  for (const count of counts) {
    const dropped = Number(count.deleted) - (before.deleted.get(count.catalog) ?? 0);
    // relations and their parts are judged by their locks above; everything else must not lose rows
    if (dropped > 0 && !(count.catalog in relationOf)) found.push(`dropped ${dropped} ${count.catalog} row(s)`);
    // catalogs this role cannot read row by row: any change at all
    if (before.unreadable.includes(count.catalog) && Number(count.written) > (before.written.get(count.catalog) ?? 0))
      found.push(`changed ${count.catalog}`);
  }
  const rewound = await rewoundSequences(tx, before.sequences);
  found.push(...rewound.map((sequence) => `set back ${sequence.name}`));
  if (found.length === 0 && parts.length === 0) return;
  await setBack(tx, rewound);
  const listed = [...new Set([...found, ...parts])];
  throw new MetaledgerError(
    'MIGRATION_FAILED',
    `the script reached beyond ${table.schema}.${table.name}: ${listed.slice(0, 8).join('; ')}${listed.length > 8 ? `; and ${listed.length - 8} more` : ''}`,
  );
}

async function isTemporary(tx: MigrationTx, oid: number): Promise<boolean> {
  const [row] = await tx.rows<{ temp: boolean }>(`SELECT relpersistence = 't' AS temp FROM pg_catalog.pg_class WHERE oid = ${oid}`);
  return row?.temp ?? false;
}
