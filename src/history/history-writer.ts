import type { AppendedEvent, PendingEvent } from '../events/append-events.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** What rollback and restore need from the store: its snapshot policy and its retrying commit. */
export interface HistoryWriter {
  readonly snapshotPolicy: { snapshotEvery: number };
  commitChangeset<P>(
    context: { actor?: string; reason?: string; correlationId?: string; source: string; target: Record<string, unknown> },
    planner: (db: MetaledgerDb) => Promise<{ result: P; events: PendingEvent[] }>,
    userExpectedVersion?: number,
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string }>;
}

export interface ChangeReason {
  actor?: string;
  reason?: string;
  correlationId?: string;
}
