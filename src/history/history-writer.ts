import type { Kysely } from 'kysely';
import type { AppendedEvent, PendingEvent } from '../events/append-events.js';

/** What rollback and restore need from the store: its snapshot policy and its retrying commit. */
export interface HistoryWriter {
  readonly snapshotPolicy: { snapshotEvery: number };
  commitChangeset<P>(
    context: { actor?: string; reason?: string; correlationId?: string; source: string; target: Record<string, unknown> },
    planner: (db: Kysely<any>) => Promise<{ result: P; events: PendingEvent[] }>,
    userExpectedVersion?: number,
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string }>;
}

export interface ChangeReason {
  /** Who made the change, recorded once on its changeset. */
  actor?: string;
  /** Why, in words, for the audit trail. */
  reason?: string;
  /** Ties the change to a request or job elsewhere (a trace id, a ticket). */
  correlationId?: string;
}
