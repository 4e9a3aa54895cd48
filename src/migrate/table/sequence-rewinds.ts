import { sqlStateOf } from '../../datasource/database-errors.js';
import type { MigrationTx } from './migration-transaction.js';

/**
 * A sequence is not transactional: a script that moves one back (setval) would leave it rewound after the
 * rollback, and the next values drawn from it would repeat. Judged only on the sequences this transaction
 * used (nextval, setval, currval take a RowExclusiveLock until commit): another session rewinding a
 * sequence of its own meanwhile is neither blamed on the script nor undone here.
 */

/** Where a sequence stands: the arguments of the setval that puts it back there. */
export interface SequencePosition {
  oid: number;
  name: string;
  increment: bigint;
  lastValue: bigint;
  isCalled: boolean;
}

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

// many sequences are read in a few statements of bounded size
const perStatement = 500;

/**
 * Reads each sequence's row itself, which takes only an AccessShareLock: pg_sequences (through
 * pg_sequence_last_value) would take the RowExclusiveLock that tells the sequences a script used.
 */
async function positions(tx: MigrationTx, where: string): Promise<SequencePosition[]> {
  const sequences = await tx.rows<{ oid: string | number; name: string; increment: string }>(readableSequences(where));
  const found: SequencePosition[] = [];
  for (let start = 0; start < sequences.length; start += perStatement) {
    const chunk = sequences.slice(start, start + perStatement);
    // names are quoted by PostgreSQL (quote_ident)
    const rows = await tx.rows<{ i: number; last_value: string; is_called: boolean }>(
      chunk
        .map((sequence, i) => `SELECT ${i} AS i, last_value::pg_catalog.text AS last_value, is_called FROM ${sequence.name}`)
        .join(' UNION ALL '),
    );
    for (const row of rows) {
      const sequence = chunk[row.i];
      found.push({
        oid: Number(sequence.oid),
        name: sequence.name,
        increment: BigInt(sequence.increment),
        lastValue: BigInt(row.last_value),
        isCalled: row.is_called,
      });
    }
  }
  return found;
}

// by SQLSTATE: the datasource may have typed it (a missing metaledger sequence reads as 'not migrated')
const undefinedTable = (error: unknown) => sqlStateOf(error) === '42P01';

/**
 * Every readable sequence's position, taken right before a script runs. Listed and read again when a
 * sequence listed was dropped by another session before its row was read (the read then finds no such
 * relation): under a savepoint, so the transaction goes on.
 */
export async function sequencePositions(tx: MigrationTx): Promise<Map<number, SequencePosition>> {
  for (let attempt = 1; ; attempt++) {
    await tx.rows('SAVEPOINT metaledger_sequence_positions');
    try {
      const found = await positions(tx, 'true');
      await tx.rows('RELEASE SAVEPOINT metaledger_sequence_positions');
      return new Map(found.map((position) => [position.oid, position]));
    } catch (error) {
      if (!undefinedTable(error) || attempt === 5) throw error;
      await tx.rows('ROLLBACK TO SAVEPOINT metaledger_sequence_positions');
    }
  }
}

/** The value the next nextval hands out. */
const nextValue = (position: SequencePosition, increment: bigint) =>
  position.isCalled ? position.lastValue + increment : position.lastValue;

/**
 * Right after the script: the sequences this transaction used that now stand behind where they stood
 * before it (in their own direction). Its locks keep them from being dropped meanwhile: no retry here.
 */
export async function rewoundSequences(tx: MigrationTx, before: Map<number, SequencePosition>): Promise<SequencePosition[]> {
  const now = await positions(tx, usedByThisTransaction);
  return now.flatMap((position) => {
    const earlier = before.get(position.oid);
    if (!earlier) return [];
    const moved = nextValue(position, earlier.increment) - nextValue(earlier, earlier.increment);
    return (earlier.increment > 0n ? moved < 0n : moved > 0n) ? [earlier] : [];
  });
}

/** Puts rewound sequences back where they stood before the script. */
export async function setBack(tx: MigrationTx, rewound: SequencePosition[]): Promise<void> {
  for (const { oid, lastValue, isCalled } of rewound)
    await tx.rows(`SELECT pg_catalog.setval(${oid}::pg_catalog.oid::pg_catalog.regclass, ${lastValue}, ${isCalled})`);
}
