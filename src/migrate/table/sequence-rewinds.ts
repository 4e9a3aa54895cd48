import { sqlStateOf } from '../../datasource/database-errors.js';
import type { MigrationTx } from './migration-transaction.js';
import {
  readableSequencesSql,
  releaseSequencePositionsSql,
  rollbackSequencePositionsSql,
  sequencePositionsSavepointSql,
  sequenceRowsSql,
  sequencesUsedByThisTransactionSql,
  setSequenceBackSql,
} from './containment-statements.js';

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

// many sequences are read in a few statements of bounded size
const perStatement = 500;

/**
 * Reads each sequence's row itself, which takes only an AccessShareLock: pg_sequences (through
 * pg_sequence_last_value) would take the RowExclusiveLock that tells the sequences a script used.
 */
async function positions(tx: MigrationTx, listSql: string): Promise<SequencePosition[]> {
  const sequences = await tx.rows<{ oid: string | number; name: string; increment: string }>(listSql);
  const found: SequencePosition[] = [];
  for (let start = 0; start < sequences.length; start += perStatement) {
    const chunk = sequences.slice(start, start + perStatement);
    // names are quoted by PostgreSQL (quote_ident)
    const rows = await tx.rows<{ i: number; last_value: string; is_called: boolean }>(
      sequenceRowsSql(chunk.map((sequence) => sequence.name)),
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
    await tx.rows(sequencePositionsSavepointSql);
    try {
      const found = await positions(tx, readableSequencesSql());
      await tx.rows(releaseSequencePositionsSql);
      return new Map(found.map((position) => [position.oid, position]));
    } catch (error) {
      if (!undefinedTable(error) || attempt === 5) throw error;
      await tx.rows(rollbackSequencePositionsSql);
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
  const now = await positions(tx, sequencesUsedByThisTransactionSql());
  return now.flatMap((position) => {
    const earlier = before.get(position.oid);
    if (!earlier) return [];
    const moved = nextValue(position, earlier.increment) - nextValue(earlier, earlier.increment);
    return (earlier.increment > 0n ? moved < 0n : moved > 0n) ? [earlier] : [];
  });
}

/** Puts rewound sequences back where they stood before the script. */
export async function setBack(tx: MigrationTx, rewound: SequencePosition[]): Promise<void> {
  for (const position of rewound) await tx.rows(setSequenceBackSql(position));
}
