import type { ProjectionDefinition } from './projection.js';
import { readLogAfter, withStates, type LogCursor } from './read-log.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { advanceCheckpoint, checkpointError, claimCheckpoint, ensureCheckpointRow } from './statements/checkpoints.js';
import { anyCommittedAfter } from './statements/log.js';

export interface CatchUpResult {
  applied: number;
  cursor: LogCursor;
  /** Another projector holds this projection's checkpoint: it is doing the work. */
  busy: boolean;
  /**
   * Committed events remain after the cursor, held back by a transaction running elsewhere on the server
   * (the log is read only below the oldest running one): catch up again once it ends.
   */
  heldBack: boolean;
}

export async function ensureCheckpoint(db: MetaledgerDb, projection: string): Promise<void> {
  await runStatement(db, ensureCheckpointRow(projection));
}

/**
 * Applies the log to an async projection from its checkpoint, one batch per transaction. The batch's
 * writes and the new checkpoint commit together, so an event is applied exactly once even when the
 * projector dies mid-batch. The checkpoint row is locked (SKIP LOCKED): a second projector backs off.
 */
export async function catchUp(db: MetaledgerDb, projection: ProjectionDefinition, table: string, batchSize = 1000): Promise<CatchUpResult> {
  await ensureCheckpoint(db, projection.name);
  let applied = 0;
  for (;;) {
    let step: { count: number; cursor: LogCursor; busy: boolean };
    try {
      step = await db.transaction().execute(async (trx) => {
        const rows = await runStatement(trx, claimCheckpoint(projection.name));
        if (!rows[0]) return { count: 0, cursor: { txId: '0', position: 0 }, busy: true };
        const cursor = { txId: rows[0].tx_id, position: Number(rows[0].position) };
        const log = await readLogAfter(trx, cursor, batchSize);
        if (log.length === 0) return { count: 0, cursor, busy: false };
        const events = await withStates(trx, log);
        const relevant =
          projection.kinds === 'all' ? events : events.filter((event) => (projection.kinds as string[]).includes(event.kind));
        if (relevant.length > 0) await projection.apply(trx, relevant, table);
        const last = log[log.length - 1];
        const after = { txId: last.tx_id, position: Number(last.position) };
        await runStatement(trx, advanceCheckpoint(projection.name, after, log.length));
        return { count: log.length, cursor: after, busy: false };
      });
    } catch (error) {
      await runStatement(db, checkpointError(projection.name, (error as Error).message)).catch(() => {});
      throw error;
    }
    applied += step.count;
    if (step.busy) return { applied, cursor: step.cursor, busy: true, heldBack: false };
    if (step.count < batchSize) {
      const [{ any: heldBack }] = await runStatement(db, anyCommittedAfter(step.cursor));
      return { applied, cursor: step.cursor, busy: false, heldBack };
    }
  }
}
