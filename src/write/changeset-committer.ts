import type { MetaledgerDb } from '../datasource/database-schema.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Datasource } from '../datasource/datasource.js';
import { kyselyRunner, type SqlRunner } from '../datasource/sql-runner.js';
import { isConflictFailure } from '../datasource/database-errors.js';
import { ConflictError, DatasourceUnavailableError, isMetaledgerError, writeNotApplied } from '../errors.js';
import { runStatement } from '../datasource/statement.js';
import {
  appendEvents,
  hashVersion,
  type AppendedEvent,
  type AppendStatement,
  type ChangesetInfo,
  type PendingEvent,
} from '../events/append-events.js';
import { checkExpectedVersion } from '../events/next-event.js';
import { readCommittedChangeset } from '../events/read-changeset.js';
import { readStreamHead, type StreamHead } from '../events/read-stream-head.js';
import type { ItemKey } from '../events/stream-key.js';
import { RecordCache } from '../cache/record-cache.js';
import * as changesetStatements from '../events/statements.js';
import { AppendBatcher, type GroupCommitLimits } from './append-batcher.js';
import type { WritePlan } from './plan-write.js';
import { conflictMessage, withConflictRetry, type RetryPolicy } from './retry.js';

/** Transaction isolation of a write: read committed by default. */
export type Isolation = 'read_uncommitted' | 'read_committed' | 'repeatable_read' | 'serializable';

const isolationSql: Record<Isolation, 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable'> = {
  read_uncommitted: 'read uncommitted',
  read_committed: 'read committed',
  repeatable_read: 'repeatable read',
  serializable: 'serializable',
};

/** Who and why, recorded once per changeset. */
export interface WriteContext {
  /** Who made the change, recorded once on its changeset. */
  actor?: string;
  /** Why, in words, for the audit trail. */
  reason?: string;
  /** Ties the change to a request or job elsewhere (a trace id, a ticket). */
  correlationId?: string;
  /** api, cli, import, rollback, restore, bulk */
  source?: string;
}

export interface CommitSettings {
  retry: RetryPolicy;
  /** How long a remembered stream head may stand in for reading it (the record cache's TTL). */
  headsTtlSeconds: number;
  groupCommit: GroupCommitLimits;
}

/** What a planner works with: the handle to read through, and whether it must lock what it reads. */
export interface PlanningContext {
  db: MetaledgerDb;
  run: SqlRunner;
  /** Read stream heads FOR UPDATE: this attempt follows a conflict and queues behind the winner. */
  lock: boolean;
  /**
   * A state the planner knows without reading it (its cache of heads), used on the first try only: a
   * conflict (or NOT_FOUND) of a plan made on it may only mean the guess was wrong, so the write is tried
   * again on what the database holds even where the retry policy would not try again.
   */
  guess<S>(known: () => S | undefined): S | undefined;
}

/** What a planner returns: its result and the events to append. */
export interface Planned<P> {
  result: P;
  events: PendingEvent[];
}

export interface CommitOptions {
  /** The caller named a version: a lost race is reported with the version that won. */
  userExpectedVersion?: number;
  /** After a conflict, lock the heads read instead of retrying optimistically (one hot item). */
  lockAfterConflict?: boolean;
  /** The changeset's id and whether it may already be committed; shared by the commits of one write. */
  identity?: ChangesetIdentity;
  /**
   * Events per append statement (a bulk operation's `batch.size`). The commit then runs in a transaction,
   * as several statements may carry its events, and never shares a statement with other writes.
   */
  eventsPerStatement?: number;
  /**
   * This commit adds events to a changeset `openChangeset` created (one batch of a bulk operation written
   * batch by batch). It never shares a statement with other writes, and a connection lost after its
   * statement went out is reported, not retried: the changeset's other parts make a replay undecidable.
   */
  joinsChangeset?: boolean;
}

/** What the committer asks of the rest of the store, and tells it. */
export interface CommitHooks {
  /** Inline projections beyond the append statement's own: the append then runs in a transaction. */
  readonly needsTransaction: boolean;
  /** Runs those inline projections on the events just appended, in the appending transaction. */
  applyInline(db: MetaledgerDb, changeset: ChangesetInfo, events: PendingEvent[], appended: AppendedEvent[]): Promise<void>;
  /** A commit landed: the other stores of this process, watchers and projections hear of it. */
  committed(appended: AppendedEvent[]): void;
}

/** The store's two append statements: one creates the changeset, one adds events to a changeset already there. */
export interface AppendStatements {
  opening: AppendStatement;
  joining: AppendStatement;
}

/**
 * A write's changeset id, its idempotency key. `mayExist` is true when the caller chose the id (it may be
 * re-sending) or an earlier attempt's outcome is unknown: the changeset is then looked up before planning.
 */
export interface ChangesetIdentity {
  id: string;
  mayExist: boolean;
}

/** A write's idempotency key, as a caller may give it. */
export interface IdempotentWrite {
  /**
   * The id (a UUID) to commit the write's changeset under. Re-sending a write with the id of a changeset
   * already committed returns that changeset's outcome and writes nothing (`replayed: true`), so a write
   * whose outcome was unknown can be re-sent safely. Default: a new random id.
   */
  changesetId?: string;
}

/** What a commit did: planned and appended, or found its changeset already committed (`replayed`). */
export interface Committed<P> {
  /** The planner's result; undefined only when this call found the changeset committed by an earlier call. */
  result: P | undefined;
  appended: AppendedEvent[];
  retries: number;
  changesetId?: string;
  replayed: boolean;
}

/** Pauses before re-trying a write whose connection failed: about 100, 200, then 400 ms (less with jitter). */
function lostConnectionPauseMs(attempt: number): number {
  return 100 * 2 ** attempt * (0.5 + Math.random() / 2);
}

/** A write whose connection failed is tried this many more times (then the failure is reported). */
export const connectionRetries = 3;

type Append = (changeset: ChangesetInfo, events: PendingEvent[]) => Promise<AppendedEvent[]>;

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * Every write of the store goes through here (saves, deletes, bulk operations, rollback, restore, import,
 * revert, promotion): plan on fresh state, append, retry by the one policy.
 */
export class ChangesetCommitter {
  /** Self-contained appends of concurrent writes share statements (group commit). */
  private readonly batcher: AppendBatcher;
  /** Stream heads this store last wrote or read: an item's write can skip reading its head (a wrong guess conflicts). */
  private readonly heads: RecordCache<StreamHead>;

  constructor(
    private readonly datasource: Datasource,
    private readonly statements: AppendStatements,
    private readonly hooks: CommitHooks,
    private readonly forget: (type: string, name: string) => void,
    private readonly settings: CommitSettings,
  ) {
    this.batcher = new AppendBatcher((text, parameters) => datasource.prepared(text, parameters), statements.opening, settings.groupCommit);
    this.heads = new RecordCache({ enabled: true, ttlSeconds: settings.headsTtlSeconds });
  }

  /**
   * One item's write (save, update, delete): `plan` (pure) turns the item's head into its event. The head
   * is the one this store last saw when it has it (and a create at `userExpectedVersion` 0 assumes none),
   * saving a round trip: a wrong guess only makes the append conflict, and the write is tried again at
   * once on the head read from the database (see `PlanningContext.guess`). The head the write leaves is
   * remembered for the next one.
   */
  async commitItem(
    isolation: Isolation,
    context: WriteContext & { target?: Record<string, unknown> },
    item: ItemKey,
    plan: (head: StreamHead | null) => WritePlan,
    options: CommitOptions = {},
  ): Promise<Committed<WritePlan>> {
    const { type, name } = item;
    const remembered = () => this.heads.get(type, name) ?? (options.userExpectedVersion === 0 ? null : undefined);
    const committed = await this.commit(
      isolation,
      context,
      async ({ run, lock, guess }) => {
        const known = guess(remembered);
        // a guess that failed is forgotten: the next try reads the head from the database
        if (known === undefined) this.heads.delete(type, name);
        const result = plan(known !== undefined ? known : await readStreamHead(run, type, name, { lock }));
        return { result, events: result.action === 'write' ? [result.event] : [] };
      },
      options,
    );
    const planned = committed.result;
    if (!committed.replayed && planned?.action === 'write') {
      const { itemId, version, document } = planned.event;
      this.heads.set(type, name, { itemId, version, hash: committed.appended[0].hash, document });
    }
    return committed;
  }

  /** An item changed elsewhere: its remembered head is stale (every one, without an item). */
  forgetHeads(item?: ItemKey): void {
    if (item) this.heads.delete(item.type, item.name);
    else this.heads.clear();
  }

  /** Creates an empty changeset that later commits join (`joinsChangeset`); settle it when they are done. */
  async openChangeset(changeset: ChangesetInfo): Promise<void> {
    try {
      await runStatement(this.datasource.db, changesetStatements.insertChangeset(changeset, hashVersion));
    } catch (error) {
      throw error instanceof DatasourceUnavailableError && !error.sent ? writeNotApplied(error, changeset.id) : error;
    }
  }

  /** Records how many events joined an opened changeset, or removes it when none did; resolves to whether any did. */
  async settleChangeset(id: string): Promise<boolean> {
    const [{ events }] = await runStatement(this.datasource.db, changesetStatements.settleChangeset(id));
    return events > 0;
  }

  /**
   * Plans and appends one changeset. On a conflict the planner runs again on fresh state (per the retry
   * policy), so a changeset is always computed from the state it is appended to. A retryable connection
   * failure is retried `connectionRetries` times; when the failed attempt may have committed (its statement
   * or commit was sent), the changeset is looked up first, so the write is applied at most once. Every
   * touched item leaves the cache.
   */
  async commit<P>(
    isolation: Isolation,
    context: WriteContext & { target?: Record<string, unknown> },
    planner: (planning: PlanningContext) => Promise<Planned<P>>,
    options: CommitOptions = {},
  ): Promise<Committed<P>> {
    const identity = options.identity ?? { id: randomUUID(), mayExist: false };
    const changeset = {
      id: identity.id,
      actor: context.actor,
      reason: context.reason,
      correlationId: context.correlationId,
      source: context.source ?? 'api',
      target: context.target,
    };
    /** The result planned for the attempt whose outcome is unknown: the outcome a replay returns. */
    let plannedBefore: P | undefined;
    for (let lost = 0; ; lost++) {
      let sent = false;
      try {
        let guessed = false;
        const guessedWrong = (error: unknown) =>
          guessed && (isConflictFailure(error) || isMetaledgerError(error, 'CONFLICT') || isMetaledgerError(error, 'NOT_FOUND'));
        const tryOnce = (retries: number, first: boolean) => {
          const lock = Boolean(options.lockAfterConflict) && retries > 0;
          guessed = false;
          const guess = <S>(known: () => S | undefined): S | undefined => {
            const value = first && !lock ? known() : undefined;
            guessed = value !== undefined;
            return value;
          };
          return this.inTransaction(
            isolation,
            lock,
            options,
            () => (sent = true),
            async (db, run, append): Promise<Omit<Committed<P>, 'retries'>> => {
              // looked up after planning: once committed a changeset stays, so if it is not there now, it was not
              // there when the state planned on was read (a lookup before could miss one committing in between)
              const replay = async (): Promise<Omit<Committed<P>, 'retries'> | undefined> => {
                const appended = identity.mayExist ? await readCommittedChangeset(run, identity.id) : null;
                return appended ? { result: plannedBefore, appended, changesetId: identity.id, replayed: true } : undefined;
              };
              let planned: Planned<P>;
              try {
                planned = await planner({ db, run, lock, guess });
              } catch (error) {
                // e.g. a re-sent delete of an item it deleted
                const replayed = await replay();
                if (replayed) return replayed;
                throw error;
              }
              const replayed = await replay();
              if (replayed) return replayed;
              const { result, events } = planned;
              if (events.length === 0) return { result, appended: [], replayed: false };
              plannedBefore = result;
              const appended = await this.appendOrExplain(append, changeset, events, options.userExpectedVersion);
              await this.hooks.applyInline(db, changeset, events, appended);
              return { result, appended, changesetId: identity.id, replayed: false };
            },
          );
        };
        const { value, retries } = await withConflictRetry(this.settings.retry, tryOnce, guessedWrong);
        for (const event of value.appended) this.forget(event.type, event.name);
        if (!value.replayed) this.hooks.committed(value.appended);
        return { ...value, retries };
      } catch (error) {
        if (isConflictFailure(error)) {
          throw new ConflictError(conflictMessage(this.settings.retry));
        }
        if (!(error instanceof DatasourceUnavailableError)) throw error;
        // the statement or the commit went out and no answer came back: it may have committed
        const unknown = sent && error.sent;
        if (unknown) identity.mayExist = true;
        if (!error.retryable || lost >= connectionRetries || (unknown && options.joinsChangeset)) throw this.withOutcome(error, identity);
        await sleep(lostConnectionPauseMs(lost));
      }
    }
  }

  /** The connection failure as the caller sees it: whether the write may have been applied, and its key. */
  private withOutcome(error: DatasourceUnavailableError, identity: ChangesetIdentity): DatasourceUnavailableError {
    if (!identity.mayExist) return writeNotApplied(error, identity.id);
    return new DatasourceUnavailableError(
      `${error.message}; the write may or may not have been applied: re-send it with changesetId ${identity.id} to apply it at most once`,
      error.target,
      error.retryable,
      { sent: error.sent, outcome: 'unknown', changesetId: identity.id },
    );
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
   * statement is a prepared one, shared with concurrent writes unless it joins an opened changeset. A
   * transaction is opened for other isolation levels, for inline projections that must commit with the
   * append, for locked (queued) attempts and for events split over several statements.
   */
  private inTransaction<T>(
    isolation: Isolation,
    lock: boolean,
    options: CommitOptions,
    /** Called when what may commit the write goes out: the self-contained append, or the COMMIT. */
    sending: () => void,
    work: (db: MetaledgerDb, run: SqlRunner, append: Append) => Promise<T>,
  ): Promise<T> {
    const { db } = this.datasource;
    const selfContained = isolation === 'read_committed' && !lock && !this.hooks.needsTransaction && !options.eventsPerStatement;
    if (selfContained) {
      const run: SqlRunner = (text, parameters) => this.datasource.prepared(text, parameters);
      return work(db, run, (changeset, events) => {
        sending();
        return options.joinsChangeset
          ? appendEvents(run, this.statements.joining, changeset, events)
          : this.batcher.append(changeset, events);
      });
    }
    return db
      .transaction()
      .setIsolationLevel(isolationSql[isolation])
      .execute(async (trx) => {
        const run = kyselyRunner(trx);
        const result = await work(trx, run, (changeset, events) => this.appendInStatements(run, changeset, events, options));
        sending();
        return result;
      });
  }

  /** Appends inside a transaction: the first statement creates the changeset (unless it was opened), the others join it. */
  private async appendInStatements(run: SqlRunner, changeset: ChangesetInfo, events: PendingEvent[], options: CommitOptions) {
    const appended: AppendedEvent[] = [];
    for (const [i, part] of chunk(events, options.eventsPerStatement ?? events.length).entries()) {
      const opens = i === 0 && !options.joinsChangeset;
      const statement = opens ? this.statements.opening : this.statements.joining;
      appended.push(...(await appendEvents(run, statement, changeset, part, opens ? events.length : undefined)));
    }
    return appended;
  }
}
