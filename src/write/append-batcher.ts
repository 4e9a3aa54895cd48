import type { SqlRunner } from '../datasource/sql-runner.js';
import { isConnectionFailure } from '../datasource/connection-failure.js';
import { versionConflictCode } from '../datasource/database-errors.js';
import { byKey, keyOf } from '../events/stream-key.js';
import { appendChangesets, type AppendedEvent, type AppendStatement, type ChangesetEvents } from '../events/append-events.js';

interface Queued extends ChangesetEvents {
  resolve: (appended: AppendedEvent[]) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitLimits {
  /** Append statements running at once; what arrives meanwhile waits and goes out together. */
  statementsInFlight: number;
  /** Events one statement carries at most. */
  eventsPerStatement: number;
}

/** The version conflict the append statement would raise, found before sending it. */
function staleChangeset(): Error {
  return Object.assign(new Error('metaledger version conflict: planned on a version a concurrent save has replaced'), {
    code: versionConflictCode,
  });
}

/**
 * Group commit for self-contained appends (read committed, no surrounding transaction): while
 * `statementsInFlight` statements run, the changesets of concurrent saves queue, and the next statement
 * carries all of them — one round trip, one commit and one WAL flush for many saves. Each changeset keeps
 * its own events, id, actor and time, and all of its events land or none do.
 *
 * A statement carries at most one changeset per item, and none for an item a running statement writes:
 * the later one was planned on the state the earlier one replaces. When a statement commits, queued
 * changesets planned on a version it replaced fail as conflicts at once (their writers re-plan) instead of
 * failing a whole statement. If a grouped statement fails anyway, nothing of it was written, and each of
 * its changesets is appended again on its own, so each gets its own outcome — unless its connection failed
 * (then it may have committed, and every writer of the group gets the failure).
 */
export class AppendBatcher {
  private queue: Queued[] = [];
  private running = 0;
  /** Items (by type and name: a new item's id is only proposed) the running statements write. */
  private readonly writing = new Set<string>();

  constructor(
    private readonly run: SqlRunner,
    private readonly statement: AppendStatement,
    private readonly limits: GroupCommitLimits,
  ) {}

  append(changeset: ChangesetEvents['changeset'], events: ChangesetEvents['events']): Promise<AppendedEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ changeset, events, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.limits.statementsInFlight) {
      const { group, items } = this.takeGroup();
      if (group.length === 0) return;
      this.running++;
      for (const item of items) this.writing.add(item);
      void this.send(group).finally(() => {
        this.running--;
        for (const item of items) this.writing.delete(item);
        this.dispatch();
      });
    }
  }

  /** The queued changesets, in arrival order, that can share the next statement, and the items they write. */
  private takeGroup(): { group: Queued[]; items: Set<string> } {
    const group: Queued[] = [];
    const waiting: Queued[] = [];
    const items = new Set<string>();
    let events = 0;
    for (const queued of this.queue) {
      const keys = queued.events.map(keyOf);
      const busy = keys.some((key) => items.has(key) || this.writing.has(key));
      const full = group.length > 0 && events + keys.length > this.limits.eventsPerStatement;
      if (busy || full) {
        waiting.push(queued);
        continue;
      }
      for (const key of keys) items.add(key);
      events += keys.length;
      group.push(queued);
    }
    this.queue = waiting;
    // the statement locks streams in this order, the order bulk writes lock theirs in
    return { group: group.sort((a, b) => byKey(a.events[0], b.events[0])), items };
  }

  private async send(group: Queued[]): Promise<void> {
    try {
      const appended = await appendChangesets(this.run, this.statement, group);
      group.forEach((queued, i) => queued.resolve(appended[i]));
      this.rejectStale(appended.flat());
    } catch (error) {
      // a statement whose connection failed may have committed: re-sending its changesets here could write
      // them twice; each writer decides (it looks its changeset up before trying again)
      if (group.length === 1 || isConnectionFailure(error)) return group.forEach((queued) => queued.reject(error));
      await Promise.all(group.map((queued) => this.send([queued])));
    }
  }

  /** Queued changesets that expect a stream below a version just appended can only conflict. */
  private rejectStale(appended: AppendedEvent[]): void {
    const reached = new Map(appended.map((event) => [keyOf(event), event.version]));
    this.queue = this.queue.filter((queued) => {
      const stale = queued.events.some((event) => event.version <= (reached.get(keyOf(event)) ?? 0));
      if (stale) queued.reject(staleChangeset());
      return !stale;
    });
  }
}
