import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isConflictFailure, toMetaledgerError } from '../datasource/database-errors.js';
import { ConflictError } from '../errors.js';
import { appendEvents, type AppendedEvent, type ChangesetInfo, type PendingEvent } from '../events/append-events.js';
import { checkExpectedVersion } from '../events/next-event.js';
import { readStreamHead } from '../events/read-stream-head.js';
import { withConflictRetry, type RetryPolicy } from './retry.js';
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
  invalidateOnWrite: boolean;
  timeoutMs: number;
  secrets: (string | undefined)[];
}

/** Every write of the store goes through here: plan on fresh state, append in one statement, retry. */
export class ChangesetCommitter {
  constructor(
    private readonly db: Kysely<any>,
    private readonly appendStatement: string,
    private readonly runtime: StoreRuntime,
    private readonly forget: (type: string, name: string) => void,
    private readonly settings: CommitSettings,
  ) {}

  /**
   * Plans and appends one changeset. On a conflict the planner runs again on fresh state (per the retry
   * policy), so a changeset is always computed from the state it is appended to. Every touched item
   * leaves the cache.
   */
  async commit<P>(
    isolation: Isolation,
    context: WriteContext & { target?: Record<string, unknown> },
    planner: (db: Kysely<any>) => Promise<{ result: P; events: PendingEvent[] }>,
    userExpectedVersion?: number,
  ): Promise<{ result: P; appended: AppendedEvent[]; retries: number; changesetId?: string }> {
    const changesetBase = { actor: context.actor, reason: context.reason, correlationId: context.correlationId, source: context.source ?? 'api', target: context.target };
    try {
      const { value, retries } = await withConflictRetry(this.settings.retry, () =>
        this.inTransaction(isolation, async (db) => {
          const { result, events } = await planner(db);
          if (events.length === 0) return { result, appended: [] };
          const changeset = { id: randomUUID(), ...changesetBase };
          const appended = await this.appendOrExplain(db, changeset, events, userExpectedVersion);
          await this.runtime.applyInline(db, changeset, events, appended);
          return { result, appended, changesetId: changeset.id };
        }),
      );
      if (this.settings.invalidateOnWrite) for (const event of value.appended) this.forget(event.type, event.name);
      this.runtime.committed(value.appended);
      return { ...value, retries };
    } catch (error) {
      if (isConflictFailure(error)) {
        throw new ConflictError(`gave up after ${this.settings.retry.maxRetries} retries on conflicting concurrent writes`);
      }
      throw toMetaledgerError(error, this.settings.secrets, this.settings.timeoutMs);
    }
  }

  /** Appends; when the caller named a version and lost the race, says which version won. */
  private async appendOrExplain(db: Kysely<any>, changeset: ChangesetInfo, events: PendingEvent[], userExpectedVersion?: number) {
    try {
      return await appendEvents(db, this.appendStatement, changeset, events);
    } catch (error) {
      if (userExpectedVersion === undefined || !isConflictFailure(error)) throw error;
      const [event] = events;
      checkExpectedVersion(event.type, event.name, await readStreamHead(this.db, event.type, event.name), userExpectedVersion);
      throw error;
    }
  }

  private inTransaction<T>(isolation: Isolation, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
    // read committed: the append is one self-contained statement, so no explicit transaction is needed,
    // unless inline projections must commit with it
    if (isolation === 'read_committed' && !this.runtime.needsTransaction) return work(this.db);
    return this.db.transaction().setIsolationLevel(isolationSql[isolation]).execute(work);
  }
}
