import { statement, type Statement } from '../../datasource/statement.js';
import type { LogCursor } from './log.js';

// metadata_checkpoints: how far into the log (in commit order) each async projection has applied.

/** Creates a projection's checkpoint at the start of the log, if it has none. */
export function ensureCheckpointRow(projection: string): Statement<never> {
  return statement('ensure-checkpoint', 'INSERT INTO metadata_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [projection]);
}

/** Locks a projection's checkpoint for this transaction, or returns no row when another projector holds it. */
export function claimCheckpoint(projection: string): Statement<{ tx_id: string; position: number }> {
  return statement(
    'claim-checkpoint',
    'SELECT tx_id::text AS tx_id, position FROM metadata_checkpoints WHERE projection = $1 FOR UPDATE SKIP LOCKED',
    [projection],
  );
}

/** Waits for and locks a projection's checkpoint (a rebuild's swap: it must not be skipped). */
export function lockCheckpoint(projection: string): Statement<never> {
  return statement('lock-checkpoint', 'SELECT 1 FROM metadata_checkpoints WHERE projection = $1 FOR UPDATE', [projection]);
}

/** Moves a checkpoint past a batch of `applied` more events, clearing its error. */
export function advanceCheckpoint(projection: string, cursor: LogCursor, applied: number): Statement<never> {
  return statement(
    'advance-checkpoint',
    `UPDATE metadata_checkpoints SET tx_id = $2::text::xid8, position = $3, events_applied = events_applied + $4,
       last_error = NULL, updated_at = now() WHERE projection = $1`,
    [projection, cursor.txId, cursor.position, applied],
  );
}

/** Sets a checkpoint to where a rebuild ended, with the events it applied in all, clearing its error. */
export function resetCheckpoint(projection: string, cursor: LogCursor, applied: number): Statement<never> {
  return statement(
    'reset-checkpoint',
    `UPDATE metadata_checkpoints SET tx_id = $2::text::xid8, position = $3, events_applied = $4,
       last_error = NULL, updated_at = now() WHERE projection = $1`,
    [projection, cursor.txId, cursor.position, applied],
  );
}

/** Records why a projection's last batch failed. */
export function checkpointError(projection: string, message: string): Statement<never> {
  return statement('checkpoint-error', 'UPDATE metadata_checkpoints SET last_error = $2, updated_at = now() WHERE projection = $1', [
    projection,
    message,
  ]);
}

/** A checkpoint with how far behind the log it is. */
export interface CheckpointLagRow {
  projection: string;
  tx_id: string;
  position: number;
  events_applied: number;
  last_error: string | null;
  lag_events: number;
  oldest: Date | null;
}

/** Every checkpoint with the events after it: how many, and the oldest one's time. */
export function checkpointsWithLag(): Statement<CheckpointLagRow> {
  return statement(
    'checkpoints-with-lag',
    `SELECT c.projection, c.tx_id::text AS tx_id, c.position, c.events_applied, c.last_error, lag.events AS lag_events, lag.oldest
     FROM metadata_checkpoints c
     CROSS JOIN LATERAL (
       SELECT count(*) AS events, min(e.recorded_at) AS oldest FROM metadata_events e WHERE (e.tx_id, e.position) > (c.tx_id, c.position)
     ) lag`,
  );
}
