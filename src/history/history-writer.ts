import type { AppendedEvent, PendingEvent } from '../events/append-events.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import type { ItemDocument } from '../events/document.js';

/** An item at one of its versions, as history reads hand it out. */
export interface PastState {
  type: string;
  name: string;
  version: number;
  document: ItemDocument | null;
}

/** What rollback and restore need from the store: its snapshot policy and its retrying commit. */
export interface HistoryWriter {
  readonly snapshotPolicy: { snapshotEvery: number };
  /** Past states as their type's current schema shapes them (typed metadata upcasts them), so none comes back in an old shape. */
  currentShape<S extends PastState>(states: S[]): Promise<S[]>;
  commitChangeset<P>(
    context: { actor?: string; reason?: string; correlationId?: string; source: string; target?: Record<string, unknown> },
    planner: (db: MetaledgerDb) => Promise<{ result: P; events: PendingEvent[] }>,
    options?: CommitChangesetOptions,
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string }>;
}

/** How a writer beside the store asks the store's commit to run its changeset. */
export interface CommitChangesetOptions {
  /** The caller named a version: a lost race is reported with the version that won. */
  userExpectedVersion?: number;
  /** Events per append statement (a bulk operation's batch size): the commit runs in one transaction. */
  eventsPerStatement?: number;
  /** The id of a changeset the writer opened (`openChangeset`): this commit adds one part of it. */
  joinsChangeset?: string;
}

export interface ChangeReason {
  /** Who made the change, recorded once on its changeset. */
  actor?: string;
  /** Why, in words, for the audit trail. */
  reason?: string;
  /** Ties the change to a request or job elsewhere (a trace id, a ticket). */
  correlationId?: string;
}
