import type { Kysely } from 'kysely';
import type { FrameworkMetadataTable } from '../../projections/framework-metadata.js';
import { RecordCache } from '../cache/record-cache.js';
import type { Datasource } from '../datasource/datasource.js';
import { toMetaledgerError } from '../datasource/database-errors.js';
import { NotFoundError } from '../errors.js';
import { buildAppendStatement, type PendingEvent } from '../events/append-events.js';
import { readStreamHead, type StreamHead } from '../events/read-stream-head.js';
import { MetadataLoadOptionsSchema, MetadataRecordSchema, MetadataSaveOptionsSchema } from '../protocol/index.js';
import type { MetadataLoadOptionsInput, MetadataRecordInput, MetadataSaveOptionsInput } from '../protocol/index.js';
import { blame, type BlameLine } from '../history/blame.js';
import { changes, type ChangesOptions, type ChangesPage } from '../history/changes.js';
import { compactSnapshots, type CompactResult } from '../history/compact.js';
import { diffItem, type DiffSide, type ItemDiff } from '../history/diff.js';
import { getAt, type ItemAt } from '../history/get-at.js';
import type { ChangeReason, HistoryWriter } from '../history/history-writer.js';
import { itemHistory, type HistoryOptions, type HistoryPage } from '../history/item-history.js';
import type { Moment } from '../history/moment.js';
import { prune, type PruneOptions, type PruneResult } from '../history/prune.js';
import { restore, type RestoreOptions, type RestorePlan } from '../history/restore.js';
import { rollback, type RollbackResult } from '../history/rollback.js';
import { snapshotAt, type SnapshotAtOptions } from '../history/snapshot-at.js';
import { verify, type VerifyReport } from '../history/verify.js';
import { frameworkMetadataProjection } from '../../projections/framework-metadata.js';
import { readCollectionInfo } from '../../projections/collection-info.js';
import type { WatchEvent, WatchOptions } from '../projections/change-feed.js';
import { ProjectionRunner, type ProjectionSettings, type ProjectionStatus } from '../projections/projection-runner.js';
import type { RebuildOptions, RebuildResult } from '../projections/rebuild.js';
import type { WatchHandle } from '../projections/watcher.js';
import { parseInput } from './parse-input.js';
import { ChangesetCommitter, type Isolation, type WriteContext } from './changeset-committer.js';
import { StoreRuntime } from './store-runtime.js';
import { planDelete, planSave, type SaveIntent, type SnapshotPolicy, type WritePlan } from './plan-write.js';
import { RecordReader, type ListFilters, type StoredRecord } from './read-records.js';
import type { RetryPolicy } from './retry.js';

export interface StoreSettings {
  retry: RetryPolicy;
  isolation: Isolation;
  timeoutMs: number;
  cache: { enabled: boolean; ttlSeconds: number; invalidateOnWrite: boolean };
  snapshot: SnapshotPolicy;
  table: FrameworkMetadataTable;
  projections?: ProjectionSettings;
  /** Never shown: used to scrub error messages. */
  secrets: (string | undefined)[];
}


export type SaveOptions = MetadataSaveOptionsInput & WriteContext;

export interface SaveResult {
  success: boolean;
  version: number;
  etag: string;
  created: boolean;
  skipped: boolean;
  unchanged: boolean;
  saveTime: number;
  /** Conflicts retried before this save went through. */
  retries: number;
  position?: number;
}

export interface LoadResult {
  data: StoredRecord | null;
  fromCache: boolean;
  notModified: boolean;
  etag?: string;
  loadTime: number;
}


export const etagOf = (version: number): string => `"v${version}"`;

function validateKey(type: unknown, name: unknown): void {
  parseInput(MetadataRecordSchema.pick({ type: true, name: true }), { type, name }, 'item key');
}

export type { Isolation, WriteContext };

export class MetadataStore implements HistoryWriter {
  private readonly cache: RecordCache<StoredRecord>;
  private readonly reader: RecordReader;
  private readonly runtime: StoreRuntime;
  private readonly committer: ChangesetCommitter;
  /** Failures of background work (async projections, watchers); by default they go to stderr. */
  onBackgroundError: (error: unknown) => void = (error) => console.error('metaledger background error:', error);

  constructor(
    readonly datasource: Datasource,
    readonly settings: StoreSettings,
  ) {
    this.cache = new RecordCache(settings.cache);
    this.reader = new RecordReader(settings.table);
    const projections = new ProjectionRunner(datasource, frameworkMetadataProjection(settings.table), settings.projections, (error) => this.onBackgroundError(error));
    this.runtime = new StoreRuntime(datasource, this.cache, projections, (error) => this.onBackgroundError(error));
    const appendStatement = buildAppendStatement(settings.table, { inlineProjection: projections.modeOf('framework-metadata') === 'inline' });
    this.committer = new ChangesetCommitter(datasource.db, appendStatement, this.runtime, (type, name) => this.cache.delete(type, name), {
      retry: settings.retry,
      invalidateOnWrite: settings.cache.invalidateOnWrite,
      timeoutMs: settings.timeoutMs,
      secrets: settings.secrets,
    });
  }

  /** Starts listening for other stores' changes and the projection machinery (createMetadataStore calls it). */
  async start(): Promise<void> {
    await this.runtime.start({ prune: (options) => this.prune(options), compact: (every) => this.compactSnapshots({ every }) });
  }

  // ——— projections and change feed ———

  get projections(): ProjectionRunner {
    return this.runtime.projections;
  }

  /** Per projection: mode, checkpoint, lag in events and seconds, last error. */
  projectionStatus(): Promise<ProjectionStatus[]> {
    return this.run(() => this.projections.status());
  }

  /** Replays the whole log into a fresh copy of a projection's table and swaps it in. */
  rebuild(projection: string, options?: RebuildOptions): Promise<RebuildResult> {
    return this.run(() => this.projections.rebuild(projection, options));
  }

  /** Calls `handler` for every committed change matching the filter, in commit order, resumable. */
  watch(options: WatchOptions, handler: (event: WatchEvent) => unknown): Promise<WatchHandle> {
    return this.runtime.watch(options, handler);
  }

  /** The change feed as an async iterator (`for await … of`; `break` closes it). */
  changeStream(options: WatchOptions = {}): Promise<AsyncIterableIterator<WatchEvent>> {
    return this.runtime.watchIterator(options);
  }

  /** MetadataCollectionInfo per type, from the collection-info projection. */
  collectionInfo(): Promise<{ type: string; count: number; namespaces: string[] }[]> {
    this.projections.modeOf('collection-info'); // NOT_FOUND, naming what is registered, when it is not
    return this.run(() => readCollectionInfo(this.db));
  }

  get db(): Kysely<any> {
    return this.datasource.db;
  }

  async save(type: string, record: MetadataRecordInput | Omit<MetadataRecordInput, 'type'>, options: SaveOptions = {}): Promise<SaveResult> {
    const started = performance.now();
    const parsedOptions = parseInput(MetadataSaveOptionsSchema, stripContext(options), 'save options');
    const parsed = parseInput(MetadataRecordSchema, { ...record, type }, 'record');
    const intent: SaveIntent = {
      document: parsed,
      providedKeys: new Set(Object.keys(record)),
      onConflict: parsedOptions.onConflict,
      create: parsedOptions.create,
      overwrite: parsedOptions.overwrite,
      expectedVersion: parsedOptions.expectedVersion,
    };
    const isolation = parsedOptions.transaction?.enabled === false ? 'read_committed' : parsedOptions.transaction?.isolationLevel ?? this.settings.isolation;
    return this.write(type, parsed.name, isolation, options, intent.expectedVersion, (head) => planSave(type, parsed.name, head, intent, this.settings.snapshot), started);
  }

  /**
   * Read-modify-write with retries: `change` gets the current record and returns the next one; on a
   * conflict it runs again on the fresh state, so no concurrent update is lost.
   */
  async update(
    type: string,
    name: string,
    change: (current: StoredRecord) => Omit<MetadataRecordInput, 'type' | 'name'>,
    context: WriteContext = {},
  ): Promise<SaveResult> {
    validateKey(type, name);
    const started = performance.now();
    return this.write(type, name, this.settings.isolation, context, undefined, (head) => {
      if (!head?.document) throw new NotFoundError(`${type}/${name} does not exist`);
      const current = { ...head.document, version: head.version } as StoredRecord;
      const next = parseInput(MetadataRecordSchema, { ...change(structuredClone(current)), type, name }, 'record');
      const intent: SaveIntent = { document: next, providedKeys: new Set(), onConflict: 'replace', create: false, overwrite: true };
      return planSave(type, name, head, intent, this.settings.snapshot);
    }, started);
  }

  async delete(type: string, name: string, options: WriteContext & { expectedVersion?: number } = {}): Promise<SaveResult> {
    validateKey(type, name);
    const started = performance.now();
    return this.write(type, name, this.settings.isolation, options, options.expectedVersion, (head) => ({
      action: 'write',
      event: planDelete(type, name, head, options.expectedVersion, this.settings.snapshot),
    }), started);
  }

  /** Moves the item to state `archived` (an `archived` event); it stays loadable. */
  archive(type: string, name: string, options: WriteContext = {}): Promise<SaveResult> {
    return this.update(type, name, (current) => ({ ...current, state: 'archived' }), options);
  }

  async load(type: string, name: string, options: MetadataLoadOptionsInput = {}): Promise<LoadResult> {
    validateKey(type, name);
    const started = performance.now();
    const parsed = parseInput(MetadataLoadOptionsSchema, options, 'load options');
    const useCache = parsed.cache !== false && parsed.useCache !== false;
    let record = useCache ? this.cache.get(type, name) : undefined;
    const fromCache = record !== undefined;
    if (!record) {
      record = (await this.run(() => this.reader.loadOne(this.db, type, name))) ?? undefined;
      if (record && useCache) this.cache.set(type, name, record);
    }
    const visible = record && (!parsed.namespace || record.namespace === parsed.namespace) && (!parsed.scope || record.scope === parsed.scope) ? record : null;
    const etag = visible ? etagOf(visible.version) : undefined;
    const notModified = etag !== undefined && parsed.ifNoneMatch === etag;
    return {
      data: notModified || !visible ? null : structuredClone(visible),
      fromCache,
      notModified,
      etag,
      loadTime: performance.now() - started,
    };
  }

  async exists(type: string, name: string): Promise<boolean> {
    return (await this.load(type, name)).data !== null;
  }

  async list(type: string, filters: ListFilters = {}): Promise<StoredRecord[]> {
    validateKey(type, 'list');
    return this.run(() => this.reader.list(this.db, type, filters));
  }

  // ——— history: audit, time travel, diff, blame, rollback, restore, integrity, retention ———

  /** The item's events, newest first, with who / why / when and a one-line summary each. */
  history(type: string, name: string, options?: HistoryOptions): Promise<HistoryPage> {
    return this.run(() => itemHistory(this.db, type, name, options));
  }

  /** The store-wide audit feed in commit order, paged with a cursor. */
  changes(options?: ChangesOptions): Promise<ChangesPage> {
    return this.run(() => changes(this.db, options));
  }

  /** The item exactly as it was at a version, a timestamp or a log position. */
  getAt(type: string, name: string, moment: Moment): Promise<ItemAt> {
    return this.run(() => getAt(this.db, type, name, moment));
  }

  /** Every item (or a slice) as it was at a moment, streamed. */
  snapshotAt(options: SnapshotAtOptions) {
    return snapshotAt(this.db, options);
  }

  diff(type: string, name: string, from: DiffSide, to: DiffSide): Promise<ItemDiff> {
    return this.run(() => diffItem(this.db, type, name, from, to));
  }

  blame(type: string, name: string): Promise<BlameLine[]> {
    return this.run(() => blame(this.db, type, name));
  }

  rollback(type: string, name: string, toVersion: number, options?: ChangeReason & { expectedVersion?: number }): Promise<RollbackResult> {
    return rollback(this, type, name, toVersion, options);
  }

  restore(options: RestoreOptions): Promise<RestorePlan> {
    return restore(this, options);
  }

  verify(): Promise<VerifyReport> {
    return this.run(() => verify(this.db, this.settings.table));
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return this.run(() => prune(this.db, options));
  }

  /** Adds full-state snapshots wherever an item's history runs longer than `every` versions without one. */
  compactSnapshots(options: { every?: number } = {}): Promise<CompactResult> {
    return this.run(() => compactSnapshots(this.db, options.every ?? this.settings.snapshot.snapshotEvery));
  }

  get snapshotPolicy(): SnapshotPolicy {
    return this.settings.snapshot;
  }

  commitChangeset<P>(context: WriteContext & { source: string; target: Record<string, unknown> }, planner: (db: Kysely<any>) => Promise<{ result: P; events: PendingEvent[] }>, userExpectedVersion?: number) {
    return this.committer.commit(this.settings.isolation, context, planner, userExpectedVersion);
  }

  /** Seeds the cache with records read in bulk (performance.prefetchOnInit), so first loads need no query. */
  primeCache(records: StoredRecord[]): void {
    for (const record of records) this.cache.set(record.type, record.name, record);
  }

  /** Forgets every cached record (e.g. after another process wrote). */
  clearCache(): void {
    this.cache.clear();
  }

  async close(): Promise<void> {
    await this.runtime.close();
    await this.datasource.close();
  }

  private async write(
    type: string,
    name: string,
    isolation: Isolation,
    context: WriteContext,
    userExpectedVersion: number | undefined,
    plan: (head: StreamHead | null) => WritePlan,
    started: number,
  ): Promise<SaveResult> {
    const { result: planned, appended, retries } = await this.committer.commit(isolation, context, async (db) => {
      const result = plan(await readStreamHead(db, type, name));
      return { result, events: result.action === 'write' ? [result.event] : [] };
    }, userExpectedVersion);
    const version = planned.action === 'write' ? planned.event.version : planned.head.version;
    return {
      success: true,
      version,
      etag: etagOf(version),
      created: planned.action === 'write' && planned.event.kind === 'created',
      skipped: planned.action === 'skipped',
      unchanged: planned.action === 'unchanged',
      saveTime: performance.now() - started,
      retries,
      position: appended[0]?.position,
    };
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toMetaledgerError(error, this.settings.secrets, this.settings.timeoutMs);
    }
  }
}

function stripContext(options: SaveOptions): MetadataSaveOptionsInput {
  const { source: _source, ...rest } = options;
  return rest;
}
