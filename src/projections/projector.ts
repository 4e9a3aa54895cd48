import { CompiledQuery } from 'kysely';
import type { ProjectionDefinition } from './projection.js';
import { readLogAfter, withStates, type LogCursor } from './read-log.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

export interface CatchUpResult {
  applied: number;
  cursor: LogCursor;
  /** Another projector holds this projection's checkpoint: it is doing the work. */
  busy: boolean;
}

export async function ensureCheckpoint(db: MetaledgerDb, projection: string): Promise<void> {
  await db.executeQuery(
    CompiledQuery.raw('INSERT INTO metadata_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [projection]),
  );
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
        const { rows } = await trx.executeQuery<{ tx_id: string; position: number }>(
          CompiledQuery.raw(
            'SELECT tx_id::text AS tx_id, position FROM metadata_checkpoints WHERE projection = $1 FOR UPDATE SKIP LOCKED',
            [projection.name],
          ),
        );
        if (!rows[0]) return { count: 0, cursor: { txId: '0', position: 0 }, busy: true };
        const cursor = { txId: rows[0].tx_id, position: Number(rows[0].position) };
        const log = await readLogAfter(trx, cursor, batchSize);
        if (log.length === 0) return { count: 0, cursor, busy: false };
        const events = await withStates(trx, log);
        const relevant =
          projection.kinds === 'all' ? events : events.filter((event) => (projection.kinds as string[]).includes(event.kind));
        if (relevant.length > 0) await projection.apply(trx, relevant, table);
        const last = log[log.length - 1];
        await trx.executeQuery(
          CompiledQuery.raw(
            `UPDATE metadata_checkpoints SET tx_id = $2::text::xid8, position = $3, events_applied = events_applied + $4,
               last_error = NULL, updated_at = now() WHERE projection = $1`,
            [projection.name, last.tx_id, last.position, log.length],
          ),
        );
        return { count: log.length, cursor: { txId: last.tx_id, position: Number(last.position) }, busy: false };
      });
    } catch (error) {
      await db
        .executeQuery(
          CompiledQuery.raw('UPDATE metadata_checkpoints SET last_error = $2, updated_at = now() WHERE projection = $1', [
            projection.name,
            (error as Error).message,
          ]),
        )
        .catch(() => {});
      throw error;
    }
    applied += step.count;
    if (step.busy || step.count < batchSize) return { applied, cursor: step.cursor, busy: step.busy };
  }
}
