import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { MetaledgerError } from '../../errors.js';
import type { MigrationTx } from './migration-transaction.js';
import {
  allowedRelationsSql,
  catalogRowCountsSql,
  catalogsSql,
  describesRelations,
  isTemporarySql,
  persistentRelationsSql,
  relationsLockedForWritingSql,
  writtenCatalogRowsSql,
  type CatalogInfo,
} from './containment-statements.js';
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

/** The catalogs of this server (every table in pg_catalog), split by whether this role may read them. */
async function catalogs(tx: MigrationTx): Promise<{ readable: CatalogInfo[]; unreadable: string[] }> {
  const rows = await tx.rows<CatalogInfo & { readable: boolean }>(catalogsSql());
  return {
    readable: rows.filter((r) => r.readable).map(({ name, hasOid }) => ({ name, hasOid })),
    unreadable: rows.filter((r) => !r.readable).map((r) => r.name),
  };
}

/** Taken right before a script runs, in its transaction. */
export async function containmentBaseline(tx: MigrationTx, table: FrameworkMetadataTable): Promise<ContainmentBaseline> {
  const { readable, unreadable } = await catalogs(tx);
  const relations = await tx.rows<{ oid: number; name: string; part: boolean }>(persistentRelationsSql());
  const locks = await tx.rows<{ oid: number }>(relationsLockedForWritingSql());
  const deleted = await tx.rows<{ catalog: string; deleted: number; written: number }>(
    catalogRowCountsSql([...readable.map((c) => c.name), ...unreadable]),
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
  const rows = await tx.rows<{ oid: number }>(allowedRelationsSql(table, seeds));
  return new Set(rows.map((r) => Number(r.oid)));
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
  for (const lock of await tx.rows<{ oid: number; present: boolean; temp: boolean; system: boolean; name: string }>(
    relationsLockedForWritingSql(),
  )) {
    const oid = Number(lock.oid);
    if (lock.system || lock.temp || isAllowed(oid)) continue;
    const finding = lock.present
      ? `${before.relations.has(oid) ? 'wrote or altered' : 'created'} ${lock.name}`
      : before.relations.has(oid) && `dropped ${before.relations.get(oid)}`;
    if (finding) (before.parts.has(oid) ? parts : found).push(finding);
  }
  const written = await tx.rows<{ catalog: string; relation: number | null; object: string }>(writtenCatalogRowsSql(before.readable));
  for (const row of written) {
    if (row.relation !== null && isAllowed(Number(row.relation))) continue;
    if (row.relation !== null && (await isTemporary(tx, Number(row.relation)))) continue;
    found.push(`created or changed ${row.object}`);
  }
  const counts = await tx.rows<{ catalog: string; deleted: number; written: number }>(
    catalogRowCountsSql([...before.readable.map((c) => c.name), ...before.unreadable]),
  );
  for (const count of counts) {
    const dropped = Number(count.deleted) - (before.deleted.get(count.catalog) ?? 0);
    // relations and their parts are judged by their locks above; everything else must not lose rows
    if (dropped > 0 && !describesRelations(count.catalog)) found.push(`dropped ${dropped} ${count.catalog} row(s)`);
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
  const [row] = await tx.rows<{ temp: boolean }>(isTemporarySql(oid));
  return row?.temp ?? false;
}
