import type { MetaledgerDb } from '../datasource/database-schema.js';
import type { RecordCache } from '../cache/record-cache.js';
import { ChangeNotifications, type ChangedItems } from '../cache/change-notifications.js';
import type { Datasource } from '../datasource/datasource.js';
import type { AppendedEvent, ChangesetInfo, PendingEvent } from '../events/append-events.js';
import { applyPatch } from '../events/patch.js';
import type { WatchEvent, WatchOptions } from '../projections/change-feed.js';
import type { JobHandlers } from '../projections/jobs.js';
import type { ProjectedEvent } from '../projections/projection.js';
import type { ProjectionRunner } from '../projections/projection-runner.js';
import { Watcher, watchIterator, type WatchHandle } from '../projections/watcher.js';

/**
 * The parts of a store that live between calls: change notifications (cache coherence across stores
 * and processes), watchers of the change feed, and the projection runner.
 */
export class StoreRuntime {
  private readonly watchers = new Set<Watcher>();
  private readonly notifications: ChangeNotifications;

  constructor(
    private readonly datasource: Datasource,
    origin: string,
    private readonly cache: Pick<RecordCache<object>, 'clear' | 'delete'>,
    readonly projections: ProjectionRunner,
    private readonly onBackgroundError: (error: unknown) => void,
  ) {
    this.notifications = new ChangeNotifications(
      datasource,
      origin,
      (items) => this.heard(items),
      () => {
        // notifications may have been missed while disconnected: nothing cached can be trusted
        this.cache.clear();
        this.wakeAll();
      },
    );
  }

  async start(maintenance: Pick<JobHandlers, 'prune' | 'compact'>): Promise<void> {
    await this.notifications.start();
    await this.projections.start(maintenance);
  }

  /** Another store (here or in another process) committed: forget those items, wake the readers. */
  private heard(items: ChangedItems): void {
    if (items === 'all') this.cache.clear();
    else for (const { type, name } of items) this.cache.delete(type, name);
    this.wakeAll();
    this.projections.changed();
  }

  /** This store committed: tell the other stores of this process at once (others hear the append's NOTIFY). */
  committed(items: ChangedItems): void {
    if (items !== 'all' && items.length === 0) return;
    this.notifications.published(items === 'all' ? 'all' : items.map(({ type, name }) => ({ type, name })));
    this.wakeAll();
    this.projections.changed();
  }

  private wakeAll(): void {
    for (const watcher of this.watchers) watcher.wake();
  }

  async watch(options: WatchOptions, handler: (event: WatchEvent) => unknown): Promise<WatchHandle> {
    const watcher = await Watcher.start(this.datasource.db, options, handler, this.onBackgroundError);
    this.watchers.add(watcher);
    return {
      get position() {
        return watcher.position;
      },
      close: async () => {
        this.watchers.delete(watcher);
        await watcher.close();
      },
    };
  }

  watchIterator(options: WatchOptions): Promise<AsyncIterableIterator<WatchEvent>> {
    return watchIterator(this.datasource.db, options, (watcher) => {
      this.watchers.add(watcher);
      return () => this.watchers.delete(watcher);
    });
  }

  /** Inline projections beyond framework-metadata need the append inside a transaction. */
  get needsTransaction(): boolean {
    return this.projections.extraInline.length > 0;
  }

  /** Runs inline projections on the events just appended, in the appending transaction. */
  async applyInline(trx: MetaledgerDb, changeset: ChangesetInfo, events: PendingEvent[], appended: AppendedEvent[]): Promise<void> {
    if (!this.needsTransaction) return;
    const appendedByItem = new Map(appended.map((row) => [`${row.type}\u0000${row.name}`, row]));
    const projected = events.map((event): ProjectedEvent => {
      const row = appendedByItem.get(`${event.type}\u0000${event.name}`)!;
      // the state before: what a delete removed, else the next state with the inverse patch applied
      const previous = event.kind === 'deleted' ? event.snapshot : event.document ? applyPatch(event.document, event.inverse) : null;
      return {
        position: row.position,
        txId: '0',
        itemId: event.itemId,
        type: event.type,
        name: event.name,
        version: event.version,
        kind: event.kind,
        patch: event.patch,
        recordedAt: row.recordedAt,
        changesetId: changeset.id,
        actor: changeset.actor ?? null,
        source: changeset.source,
        previous: previous && Object.keys(previous).length > 0 ? previous : null,
        document: event.document,
      };
    });
    await this.projections.applyInline(trx, projected);
  }

  async close(): Promise<void> {
    await Promise.all([...this.watchers].map((watcher) => watcher.close()));
    this.watchers.clear();
    await this.projections.close();
    await this.notifications.close();
  }
}
