import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Datasource } from '../datasource/datasource.js';
import { kyselyRunner, type SqlRunner } from '../datasource/sql-runner.js';
import { isConflictFailure, toMetaledgerError } from '../datasource/database-errors.js';
import { ConflictError } from '../errors.js';
import { appendEvents, type AppendedEvent, type AppendStatement, type ChangesetInfo, type PendingEvent } from '../events/append-events.js';
import { checkExpectedVersion } from '../events/next-event.js';
import { readStreamHead } from '../events/read-stream-head.js';
import { AppendBatcher, type GroupCommitLimits } from './append-batcher.js';
import { conflictMessage, withConflictRetry, type RetryPolicy } from './retry.js';
import type { StoreRuntime } from './store-runtime.js';

export type Isolation = 'read_uncommitted' | 'read_committed' | 'repeatable_read' | 'serializable';

const isolationSql: Record<Isolation, 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable'> = {
  read_uncommitted: 'read uncommitted',
  read_committed: 'read committed',
  repeatable_read: 'repeatable read',
  serializable: 'serializable',
};

/** Who and why, recorded once per changeset. */
export interface WriteContext {
  actor?: string;
  reason?: string;
  correlationId?: string;
  /** api, cli, import, rollback, restore, bulk */
  source?: string;
}

export interface CommitSettings {
  retry: RetryPolicy;
  groupCommit: GroupCommitLimits;
  timeoutMs: number;
  secrets: (string | undefined)[];
}

/** What a planner works with: the handle to read through, and whether it must lock what it reads. */
export interface PlanningContext {
  db: Kysely<any>;
  run: SqlRunner;
  /** Read stream heads FOR UPDATE: this attempt follows a conflict and queues behind the winner. */
  lock: boolean;
  attempt: number;
}

export interface CommitOptions {
  /** The caller named a version: a lost race is reported with the version that won. */
  userExpectedVersion?: number;
  /** After a conflict, lock the heads read instead of retrying optimistically (one hot item). */
  lockAfterConflict?: boolean;
}

type Append = (changeset: ChangesetInfo, events: PendingEvent[]) => Promise<AppendedEvent[]>;

/** Every write of the store goes through here: plan on fresh state, append in one statement, retry. */
export class ChangesetCommitter {
  /** Self-contained appends of concurrent writes share statements (group commit). */
  private readonly batcher: AppendBatcher;

  constructor(
    private readonly datasource: Datasource,
    private readonly appendStatement: AppendStatement,
    private readonly runtime: StoreRuntime,
    private readonly forget: (type: string, name: string) => void,
    private readonly settings: CommitSettings,
  ) {
    this.batcher = new AppendBatcher((text, parameters) => datasource.prepared(text, parameters), appendStatement, settings.groupCommit);
  }

  /**
   * Plans and appends one changeset. On a conflict the planner runs again on fresh state (per the retry
   * policy), so a changeset is always computed from the state it is appended to. Every touched item
   * leaves the cache.
   */
  async commit<P>(
    isolation: Isolation,
    context: WriteContext & { target?: Record<string, unknown> },
    planner: (planning: PlanningContext) => Promise<{ result: P; events: PendingEvent[] }>,
    options: CommitOptions = {},
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string }> {
    const changesetBase = {
      actor: context.actor,
      reason: context.reason,
      correlationId: context.correlationId,
      source: context.source ?? 'api',
      target: context.target,
    };
    try {
      const { value, retries } = await withConflictRetry(this.settings.retry, (attempt) => {
        const lock = Boolean(options.lockAfterConflict) && attempt > 0;
        return this.inTransaction(isolation, lock, async (db, run, append) => {
          const { result, events } = await planner({ db, run, lock, attempt });
          if (events.length === 0) return { result, appended: [] };
          const changeset = { id: randomUUID(), ...changesetBase };
          const appended = await this.appendOrExplain(append, changeset, events, options.userExpectedVersion);
          await this.runtime.applyInline(db, changeset, events, appended);
          return { result, appended, changesetId: changeset.id };
        });
      });
      for (const event of value.appended) this.forget(event.type, event.name);
      this.runtime.committed(value.appended);
      return { ...value, retries };
    } catch (error) {
      if (isConflictFailure(error)) {
        throw new ConflictError(conflictMessage(this.settings.retry));
      }
      throw toMetaledgerError(error, this.settings.secrets, this.settings.timeoutMs);
    }
  }

  /** Appends; when the caller named a version and lost the race, says which version won. */
  private async appendOrExplain(append: Append, changeset: ChangesetInfo, events: PendingEvent[], userExpectedVersion?: number) {
    try {
      return await append(changeset, events);
    } catch (error) {
      if (userExpectedVersion === undefined || !isConflictFailure(error)) throw error;
      const [event] = events;
      checkExpectedVersion(event.type, event.name, await readStreamHead(this.datasource.db, event.type, event.name), userExpectedVersion);
      throw error;
    }
  }

  /**
   * At read committed the append is one self-contained statement: no explicit transaction, and the
   * statement is a prepared one, shared with concurrent writes. A transaction is opened for other
   * isolation levels, for inline projections that must commit with the append, and for locked (queued)
   * attempts.
   */
  private inTransaction<T>(
    isolation: Isolation,
    lock: boolean,
    work: (db: Kysely<any>, run: SqlRunner, append: Append) => Promise<T>,
  ): Promise<T> {
    const { db } = this.datasource;
    if (isolation === 'read_committed' && !lock && !this.runtime.needsTransaction) {
      return work(
        db,
        (text, parameters) => this.datasource.prepared(text, parameters),
        (changeset, events) => this.batcher.append(changeset, events),
      );
    }
    return db
      .transaction()
      .setIsolationLevel(isolationSql[isolation])
      .execute((trx) => {
        const run = kyselyRunner(trx);
        return work(trx, run, (changeset, events) => appendEvents(run, this.appendStatement, changeset, events));
      });
  }
}
