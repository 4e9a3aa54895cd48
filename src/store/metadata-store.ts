import { randomUUID } from 'node:crypto';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { z } from 'zod';
import { RecordCache } from '../cache/record-cache.js';
import type { Datasource } from '../datasource/datasource.js';
import {
  ConflictError,
  DatasourceUnavailableError,
  isMetaledgerError,
  NotFoundError,
  ValidationError,
  writeNotApplied,
} from '../errors.js';
import { buildAppendStatement, type AppendedEvent } from '../events/append-events.js';
import type { ChangeNotice } from '../cache/change-notifications.js';
import type { StreamHead } from '../events/read-stream-head.js';
import { StrictMetadataLoadOptionsSchema, StrictMetadataSaveOptionsSchema } from '../protocol/index.js';
import type {
  StrictMetadataLoadOptions,
  StrictMetadataLoadOptionsInput,
  StrictMetadataRecordInput,
  StrictMetadataSaveOptionsInput,
} from '../protocol/index.js';
import { blame, type BlameLine } from '../history/blame.js';
import { changes, type ChangesOptions, type ChangesPage } from '../history/changes.js';
import { compactSnapshots, type CompactResult } from '../history/compact.js';
import { diffItem, type DiffSide, type ItemDiff } from '../history/diff.js';
import { getAt, type ItemAt } from '../history/get-at.js';
import type { ChangeReason } from '../history/history-writer.js';
import { itemHistory, type HistoryOptions, type HistoryPage } from '../history/item-history.js';
import { prune, type PruneOptions, type PruneResult } from '../history/prune.js';
import { restore, type RestoreOptions, type RestorePlan } from '../history/restore.js';
import { rollback, type RollbackResult } from '../history/rollback.js';
import { revertChangeset, type RevertResult } from '../change/revert/revert-changeset.js';
import { ChangesetIdSchema, RevertOptionsSchema, type RevertOptions } from '../change/revert/revert-options.js';
import { snapshotAt, type SnapshotAtOptions } from '../history/snapshot-at.js';
import { takeAnchor, type Anchor } from '../history/anchor.js';
import { verify, type VerifyOptions, type VerifyReport } from '../history/verify.js';
import type { WatchEvent, WatchOptions } from '../projections/change-feed.js';
import { ProjectionRunner, type ProjectionStatus } from '../projections/projection-runner.js';
import type { RebuildOptions, RebuildResult } from '../projections/rebuild.js';
import type { WatchHandle } from '../projections/watcher.js';
import {
  ChangesOptionsSchema,
  DiffSideSchema,
  HistoryOptionsSchema,
  ListFiltersSchema,
  MomentSchema,
  PruneOptionsSchema,
  RestoreOptionsSchema,
  RollbackOptionsSchema,
  SnapshotAtOptionsSchema,
  VersionSchema,
  WatchOptionsSchema,
} from '../input/call-options.js';
import { checkWriteContext, writeContextKeys } from '../input/free-text.js';
import { refuseUnknownKeys } from '../input/dropped-keys.js';
import { checkItemKey, checkType } from '../input/item-key.js';
import { guardPublicMethods, toPublicError } from '../input/public-boundary.js';
import { optionsObject } from '../input/options-object.js';
import { parseRecordInput } from '../input/record-input.js';
import { parseInput, parseOptions, refuseInapplicable } from '../input/parse-input.js';
import { notChosenByName, refuseFileLoadOptions, refuseInapplicableSaveOptions } from './store-options.js';
import {
  ChangesetCommitter,
  type CommitOptions,
  type IdempotentWrite,
  type Isolation,
  type PlanningContext,
  type WriteContext,
} from '../write/changeset-committer.js';
import { StoreRuntime } from './store-runtime.js';
import type { ShippedProjections, StoreInternals, StoreSettings } from './store-internals.js';
import { checkPayloads, planDelete, planSave, type SaveIntent, type WritePlan } from '../write/plan-write.js';
import { RecordReader, type ListFilters, type StoredRecord } from './read-records.js';
import {
  diffStore,
  DiffStoreOptionsSchema,
  parseStoreMoment,
  type DiffStoreOptions,
  type StoreDiff,
} from '../change/releases/diff-store.js';
import { withTagProblems } from '../change/releases/tag-integrity.js';
import { untagMoment, untagOptions, type MomentOrTag, type TagMoment } from '../change/releases/tag-moment.js';
import { createTag, findTag, listTags, type Tag, type TagOptions } from '../change/releases/tags.js';
import { migrateType, type MigrateTypeResult } from '../change/types/migrate-type.js';
import type { PayloadCheck } from '../write/payload-check.js';
import { readReferrers } from '../change/types/type-statements.js';
import { runStatement } from '../datasource/statement.js';
import { parseTypeDefinition, TYPE_DEFINITION_TYPE, type TypeDefinitionInput } from '../change/types/type-definition.js';
import { TypeRegistry } from '../change/types/type-registry.js';
import { typeInfoOf, type TypeInfo } from '../change/types/type-info.js';
import { TypedReads } from '../change/types/typed-reads.js';

/** The protocol's save options with metaledger's (audit trail, expected version); see StrictMetadataSaveOptionsSchema. */
export type SaveOptions = StrictMetadataSaveOptionsInput & WriteContext & IdempotentWrite;

/** The outcome of a write: the version the item is at now, its etag, and what happened (created, skipped, unchanged, replayed). */
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
  /** The changeset this write committed (its idempotency key); absent when nothing was written. */
  changesetId?: string;
  /** True when the changeset was found already committed (a re-sent write): nothing was written this time. */
  replayed: boolean;
}

/** One loaded item (`data`, null when absent or not modified), whether it came from the cache, and its etag. */
export interface LoadResult {
  data: StoredRecord | null;
  fromCache: boolean;
  notModified: boolean;
  etag?: string;
  loadTime: number;
}

export const etagOf = (version: number): string => `"v${version}"`;

/** Records handed out are frozen: the cache can give the same object to every caller without copying. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export type { IdempotentWrite, Isolation, WriteContext };

/** Set by MetadataStore's static block: the one way to its private constructor (see constructStore). */
let storeConstructor: (datasource: Datasource, settings: StoreSettings, shipped: ShippedProjections) => MetadataStore;

/**
 * The event-sourced metadata store: every write is an event in a hash-chained log, and the history
 * answers audit, time travel, diff, blame, rollback and restore. Open one with `createMetadataStore`.
 *
 * @example
 * ```ts
 * const store = await createMetadataStore({ dataDir: './.metaledger' });
 * await store.save('object', { name: 'account', metadata: { label: 'Account' } }, { actor: 'alice', reason: 'initial' });
 * const { data } = await store.load('object', 'account');
 * const { events } = await store.history('object', 'account');
 * await store.close();
 * ```
 */
export class MetadataStore {
  private readonly cache: RecordCache<StoredRecord>;
  private readonly reader: RecordReader;
  private readonly runtime: StoreRuntime;
  private readonly committer: ChangesetCommitter;
  /** Type definitions (shared through the log) and this process's upcasters. */
  private readonly types = new TypeRegistry(() => this.db);
  private readonly typedReads = new TypedReads(() => this.db, this.types);
  /** Names this store in change notifications, so it skips its own. */
  private readonly instanceId = randomUUID();
  /** Failures of background work (async projections, watchers); by default they go to stderr. */
  onBackgroundError: (error: unknown) => void = (error) => console.error('metaledger background error:', error);

  /** What code inside metaledger uses beside the public API (see internalsOf). */
  private readonly internals: StoreInternals;

  static {
    // the constructor takes internal types: only the composition root builds a store (see constructStore)
    storeConstructor = (datasource, settings, shipped) => new MetadataStore(datasource, settings, shipped);
  }

  private constructor(
    private readonly datasource: Datasource,
    private readonly settings: StoreSettings,
    private readonly shipped: ShippedProjections,
  ) {
    this.cache = new RecordCache(settings.cache);
    this.reader = new RecordReader(settings.table);
    const projections = new ProjectionRunner(datasource, shipped.frameworkMetadata, settings.projections, (error) =>
      this.onBackgroundError(error),
    );
    const forget = (type: string, name: string) => this.forget(type, name);
    this.runtime = new StoreRuntime(datasource, this.instanceId, { delete: forget, clear: () => this.forgetAll() }, projections, (error) =>
      this.onBackgroundError(error),
    );
    const changeNotice: ChangeNotice = { schema: datasource.schema, origin: this.instanceId };
    const inlineProjection = projections.modeOf('framework-metadata') === 'inline' ? shipped.frameworkMetadataInline : undefined;
    const statements = {
      opening: buildAppendStatement({ notice: changeNotice, inlineProjection }),
      joining: buildAppendStatement({ notice: changeNotice, inlineProjection, changesetExists: true }),
    };
    this.committer = new ChangesetCommitter(datasource, statements, this.runtime, forget, {
      retry: settings.retry,
      headsTtlSeconds: settings.cache.ttlSeconds,
      groupCommit: settings.groupCommit,
    });
    this.internals = this.buildInternals();
    internalsByStore.set(this, this.internals);
  }

  // ——— projections and change feed ———

  /** The projection runner: registered projections, their modes, catch-ups and rebuild requests. */
  get projections(): ProjectionRunner {
    return this.runtime.projections;
  }

  /** Per projection: mode, checkpoint, lag in events and seconds, last error. */
  projectionStatus(): Promise<ProjectionStatus[]> {
    return this.projections.status();
  }

  /** Replays the whole log into a fresh copy of a projection's table and swaps it in. */
  rebuild(projection: string, options?: RebuildOptions): Promise<RebuildResult> {
    return this.projections.rebuild(projection, options);
  }

  /** Calls `handler` for every committed change matching the filter, in commit order, resumable. */
  async watch(options: WatchOptions, handler: (event: WatchEvent) => unknown): Promise<WatchHandle> {
    const parsed = parseInput(WatchOptionsSchema, options, 'watch options');
    if (typeof handler !== 'function') throw new ValidationError([{ path: 'handler', message: 'must be a function' }], 'invalid watch');
    return this.runtime.watch(parsed, handler);
  }

  /** The change feed as an async iterator (`for await … of`; `break` closes it). */
  async changeStream(options: WatchOptions = {}): Promise<AsyncIterableIterator<WatchEvent>> {
    return this.runtime.watchIterator(parseInput(WatchOptionsSchema, options, 'watch options'));
  }

  /** MetadataCollectionInfo per type, from the collection-info projection. */
  collectionInfo(): Promise<{ type: string; count: number; namespaces: string[] }[]> {
    this.projections.modeOf('collection-info'); // NOT_FOUND, naming what is registered, when it is not
    return this.shipped.readCollectionInfo(this.db);
  }

  /** The store's Kysely handle, for reading projection tables of your own (writes go through the store). */
  get db(): MetaledgerDb {
    return this.datasource.db;
  }

  /**
   * Creates or changes an item: one event in one changeset, retried from fresh state on a conflict. With
   * `expectedVersion` (0: must not exist) it is refused with CONFLICT unless the item is at that version.
   *
   * @example
   * ```ts
   * await store.save('object', { name: 'account', metadata: { label: 'Account' } }, { actor: 'alice', expectedVersion: 0 });
   * ```
   */
  async save(
    type: string,
    record: StrictMetadataRecordInput | Omit<StrictMetadataRecordInput, 'type'>,
    options: SaveOptions = {},
  ): Promise<SaveResult> {
    const started = performance.now();
    // the strict layer first: a plain JSON copy with canonical keys, then the protocol's shape
    const { input, parsed } = parseRecordInput(type, record, this.settings.limits);
    checkWriteContext(options);
    const parsedOptions = parseOptions(StrictMetadataSaveOptionsSchema, stripContext(options), 'save options');
    refuseInapplicableSaveOptions(parsedOptions);
    const intent: SaveIntent = {
      document: parsed,
      providedKeys: new Set(Object.keys(input)),
      onConflict: parsedOptions.onConflict,
      create: parsedOptions.create,
      overwrite: parsedOptions.overwrite,
      expectedVersion: parsedOptions.expectedVersion,
      check: await this.payloadCheck(),
    };
    // an isolation level given is used; a transaction switched off (or left at the protocol's default,
    // off) is the single statement at read committed; no transaction option: the store's isolation
    const { transaction } = parsedOptions;
    const isolation = transaction?.isolationLevel ?? (transaction?.enabled === false ? 'read_committed' : this.settings.isolation);
    return this.write(
      type,
      parsed.name,
      isolation,
      options,
      { userExpectedVersion: intent.expectedVersion },
      (head) => planSave(type, parsed.name, head, intent, this.settings.snapshot),
      started,
    );
  }

  /**
   * Read-modify-write with retries: `change` gets the current record and returns the next one; on a
   * conflict it runs again on the fresh state, so no concurrent update is lost.
   */
  async update(
    type: string,
    name: string,
    change: (current: StoredRecord) => Omit<StrictMetadataRecordInput, 'type' | 'name'>,
    context: WriteContext & IdempotentWrite = {},
  ): Promise<SaveResult> {
    checkItemKey(type, name);
    checkWriteContext(context, [...writeContextKeys, 'changesetId']);
    if (typeof change !== 'function') throw new ValidationError([{ path: 'change', message: 'must be a function' }], 'invalid update');
    const started = performance.now();
    const check = await this.payloadCheck();
    return this.write(
      type,
      name,
      this.settings.isolation,
      context,
      { lockAfterConflict: true },
      (head) => {
        if (!head?.document) throw new NotFoundError(`${type}/${name} does not exist`);
        const current = { ...head.document, version: head.version } as StoredRecord;
        const next = parseRecordInput(type, { ...applyChange(change, structuredClone(current)), type, name }, this.settings.limits).parsed;
        const intent: SaveIntent = {
          document: next,
          providedKeys: new Set(),
          onConflict: 'replace',
          create: false,
          overwrite: true,
          check,
        };
        return planSave(type, name, head, intent, this.settings.snapshot);
      },
      started,
    );
  }

  /** Deletes an item as a `deleted` event (its history stays); NOT_FOUND when it does not exist. */
  async delete(
    type: string,
    name: string,
    options: WriteContext & IdempotentWrite & { expectedVersion?: number; force?: boolean } = {},
  ): Promise<SaveResult> {
    checkItemKey(type, name);
    const { force, ...context } = optionsObject(options, 'delete options') as typeof options;
    checkWriteContext(context, [...writeContextKeys, 'changesetId', 'expectedVersion']);
    if (context.expectedVersion !== undefined) parseInput(VersionSchema, context.expectedVersion, 'expectedVersion');
    if (force !== undefined && typeof force !== 'boolean')
      throw new ValidationError([{ path: 'force', message: 'must be a boolean' }], 'invalid delete options');
    const started = performance.now();
    // a forced delete says so in its changeset (hashed, audited): the database lets it leave referrers behind
    const target = force ? { target: { references: 'force' } } : {};
    return this.write(
      type,
      name,
      this.settings.isolation,
      { ...context, ...target },
      { userExpectedVersion: options.expectedVersion },
      (head) => ({
        action: 'write',
        event: planDelete(type, name, head, context.expectedVersion, this.settings.snapshot),
      }),
      started,
    );
  }

  /** Moves the item to state `archived` (an `archived` event); it stays loadable. */
  archive(type: string, name: string, options: WriteContext & IdempotentWrite = {}): Promise<SaveResult> {
    return this.update(type, name, (current) => ({ ...current, state: 'archived' }), options);
  }

  /**
   * One item by type and name, from the cache when it has it. `namespace` and `scope` make it load only
   * an item in them; `ifNoneMatch` answers notModified for the etag given. Options that pick or shape a
   * list (filters, sort, limit) and file options are refused: see driver.load to load with filters.
   */
  async load(type: string, name: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoadResult> {
    const started = performance.now();
    checkItemKey(type, name);
    // the common call has no options: skip parsing them (a cached load is a map lookup)
    const given = optionsObject(options, 'load options');
    const parsed: Partial<StrictMetadataLoadOptions> = Object.keys(given).length === 0 ? {} : parseStoreLoadOptions(given);
    const useCache = parsed.cache !== false && parsed.useCache !== false;
    let record = useCache ? this.cache.get(type, name) : undefined;
    const fromCache = record !== undefined;
    if (!record) {
      record = (await this.reader.loadOne((text, parameters) => this.datasource.prepared(text, parameters), type, name)) ?? undefined;
      if (record) deepFreeze(record);
      if (record && useCache) this.cache.set(type, name, record);
    }
    const visible =
      record && (!parsed.namespace || record.namespace === parsed.namespace) && (!parsed.scope || record.scope === parsed.scope)
        ? record
        : null;
    const etag = visible ? etagOf(visible.version) : undefined;
    const notModified = etag !== undefined && parsed.ifNoneMatch === etag;
    return { data: notModified ? null : visible, fromCache, notModified, etag, loadTime: performance.now() - started };
  }

  /** Whether the item exists now. */
  async exists(type: string, name: string): Promise<boolean> {
    return (await this.load(type, name)).data !== null;
  }

  /** The items of a type, filtered (namespace, scope, state, owner) and paged, from the query projection. */
  async list(type: string, filters: ListFilters = {}): Promise<StoredRecord[]> {
    checkType(type);
    const parsed = parseInput(ListFiltersSchema, filters, 'list filters');
    return this.reader.list(this.db, type, parsed);
  }

  /** Item counts per type; with `readableBy` (a principal id), only shared items and that principal's own user items count. */
  countByType(readableBy?: string): Promise<{ type: string; count: number }[]> {
    return this.reader.countByType(this.db, readableBy);
  }

  // ——— history: audit, time travel, diff, blame, rollback, restore, integrity, retention ———

  /** The item's events, newest first, with who / why / when and a one-line summary each. */
  async history(type: string, name: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    checkItemKey(type, name);
    // kinds are checked by itemHistory, which names the known ones
    const parsed = parseInput(HistoryOptionsSchema, options, 'history options') as HistoryOptions;
    return itemHistory(this.db, type, name, parsed);
  }

  /** The store-wide audit feed in commit order, paged with a cursor. */
  async changes(options: ChangesOptions = {}): Promise<ChangesPage> {
    const parsed = parseInput(ChangesOptionsSchema, options, 'changes options');
    return changes(this.db, parsed);
  }

  /** The item exactly as it was at a version, a timestamp, a log position or a tag. */
  async getAt(type: string, name: string, moment: MomentOrTag): Promise<ItemAt> {
    checkItemKey(type, name);
    const parsed = parseInput(MomentSchema, await untagMoment(this.db, moment), 'moment');
    return (await this.typedReads.upcast([await getAt(this.db, type, name, parsed)]))[0];
  }

  /** Every item (or a slice) as it was at a moment (`asOf`, `position` or `tag`), streamed. */
  snapshotAt(options: SnapshotAtOptions & { tag?: string }) {
    const { db, typedReads } = this;
    if (!(typeof options === 'object' && options !== null && 'tag' in options))
      return guardIterator(typedReads.upcastAll(snapshotAt(db, parseInput(SnapshotAtOptionsSchema, options, 'snapshot options'))));
    // a tag is looked up first: the snapshot starts once the position is known
    return guardIterator(
      typedReads.upcastAll(
        (async function* () {
          yield* snapshotAt(db, parseInput(SnapshotAtOptionsSchema, await untagOptions(db, options), 'snapshot options'));
        })(),
      ),
    );
  }

  /** The RFC 6902 patch between two versions, timestamps, positions or tags of an item, with a summary. */
  async diff(type: string, name: string, from: DiffSide | TagMoment, to: DiffSide | TagMoment): Promise<ItemDiff> {
    checkItemKey(type, name);
    const [fromSide, toSide] = [await untagMoment(this.db, from, 'from'), await untagMoment(this.db, to, 'to')];
    const sides = [parseInput(DiffSideSchema, fromSide, 'diff side (from)'), parseInput(DiffSideSchema, toSide, 'diff side (to)')];
    return diffItem(this.db, type, name, sides[0], sides[1], (states) => this.typedReads.upcast(states));
  }

  /** For every value the item holds now: the version, actor, time and reason that last set it. */
  async blame(type: string, name: string): Promise<BlameLine[]> {
    checkItemKey(type, name);
    return blame(this.db, type, name);
  }

  /** Makes the item what it was at `toVersion`, as a new `rolled_back` event (nothing is removed from the log). */
  async rollback(
    type: string,
    name: string,
    toVersion: number,
    options: ChangeReason & { expectedVersion?: number } = {},
  ): Promise<RollbackResult> {
    checkItemKey(type, name);
    const version = parseInput(VersionSchema, toVersion, 'toVersion');
    return rollback(this.internals, type, name, version, parseInput(RollbackOptionsSchema, options, 'rollback options'));
  }

  /** Brings the store (or a slice) back to a moment (`asOf`, `position` or `tag`) in one changeset. */
  async restore(options: RestoreOptions & { tag?: string }): Promise<RestorePlan> {
    const untagged = await untagOptions(this.db, options);
    return restore(this.internals, parseInput(RestoreOptionsSchema, untagged, 'restore options'));
  }

  /** Undoes exactly one changeset's events as one new changeset, keeping later changes (see docs/history.md). */
  async revertChangeset(changesetId: string, options: RevertOptions = {}): Promise<RevertResult> {
    const id = parseInput(ChangesetIdSchema, changesetId, 'changesetId');
    return revertChangeset(this.internals, id, parseInput(RevertOptionsSchema, options, 'revert options') as RevertOptions);
  }

  /** Checks the log: hash chains, gapless versions, stream heads, changesets and every projection against a replay. */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    refuseUnknownKeys(optionsObject(options, 'verify options'), ['itemsPerRound', 'anchor'], 'verify options');
    const { itemsPerRound } = options;
    if (itemsPerRound !== undefined && (!Number.isInteger(itemsPerRound) || itemsPerRound < 1)) {
      throw new ValidationError([{ path: 'itemsPerRound', message: 'must be a positive integer' }], 'invalid verify options');
    }
    return withTagProblems(this.db, await verify(this.db, this.settings.table, options));
  }

  // ——— releases: tags and store-wide diffs ———

  /** Names a log position (default: the head now), for good: a second tag of the name is a TagExistsError (CONFLICT). */
  tag(name: string, options: TagOptions = {}): Promise<Tag> {
    return createTag(this.db, name, options);
  }

  /** Every tag, oldest first. */
  tags(): Promise<Tag[]> {
    return listTags(this.db);
  }

  /** The tag of that name (NOT_FOUND when there is none). */
  getTag(name: string): Promise<Tag> {
    return findTag(this.db, name);
  }

  /** Every item (of a namespace, of some types) that differs between two moments: created, modified (with the patch) or deleted. */
  async diffStore(from: MomentOrTag, to: MomentOrTag, options: DiffStoreOptions = {}): Promise<StoreDiff> {
    const parsed = parseInput(DiffStoreOptionsSchema, options, 'diffStore options');
    const [fromMoment, toMoment] = [await untagMoment(this.db, from, 'from'), await untagMoment(this.db, to, 'to')];
    const moments = [parseStoreMoment(fromMoment, 'from'), parseStoreMoment(toMoment, 'to')];
    return diffStore(this.db, moments[0], moments[1], parsed);
  }

  /**
   * A small value pinning the whole log up to now (`{ position, eventCount, hash }`): keep it outside the
   * database, and `verify({ anchor })` proves later that nothing at or before that position changed,
   * vanished or moved. Waits for the writes in flight to commit, so the anchor never changes after it.
   */
  anchor(): Promise<Anchor> {
    return takeAnchor(this.db);
  }

  /** Removes events older than `before`, keeping `keepVersions` latest versions per item; verify still proves the rest. */
  async prune(options: PruneOptions): Promise<PruneResult> {
    const parsed = parseInput(PruneOptionsSchema, options, 'prune options');
    return prune(this.db, parsed);
  }

  /** Adds full-state snapshots wherever an item's history runs longer than `every` versions without one. */
  async compactSnapshots(options: { every?: number } = {}): Promise<CompactResult> {
    refuseUnknownKeys(optionsObject(options, 'compaction options'), ['every'], 'compaction options');
    const every = parseInput(VersionSchema.optional(), options?.every, 'every') ?? this.settings.snapshot.snapshotEvery;
    if (every < 1) throw new ValidationError([{ path: 'every', message: 'must be a positive integer' }], 'invalid compaction options');
    return compactSnapshots(this.db, every);
  }

  // ——— typed metadata: definitions, validation, schema evolution, references ———

  /**
   * Defines (or redefines) a type: its payload schema (zod or JSON Schema), version, references, stored as
   * the item `_type/<type>` through the log; registers the upcasters in this process. Saving the same
   * definition again writes nothing and only registers the upcasters.
   */
  async defineType(type: string, definition: TypeDefinitionInput, context: WriteContext & IdempotentWrite = {}): Promise<SaveResult> {
    checkType(type);
    const { stored, upcasters } = parseTypeDefinition(definition);
    const saved = await this.save(TYPE_DEFINITION_TYPE, { name: type, metadata: stored }, context);
    this.types.register(type, upcasters);
    return saved;
  }

  /** Every defined type: version, schema, references, and the upcasters this process has registered. */
  async listTypes(): Promise<TypeInfo[]> {
    const definitions = await this.types.definitions();
    return [...definitions.values()].map((loaded) => typeInfoOf(loaded, this.types)).sort((a, b) => (a.type < b.type ? -1 : 1));
  }

  /** One type's definition; NOT_FOUND when it has none. */
  async getType(type: string): Promise<TypeInfo> {
    checkType(type);
    const loaded = (await this.types.definitions()).get(type);
    if (!loaded) throw new NotFoundError(`type ${type} has no definition`);
    return typeInfoOf(loaded, this.types);
  }

  /** The live items whose declared references name `type/name`, each with the payload field that does. */
  async references(type: string, name: string): Promise<{ type: string; name: string; path: string }[]> {
    checkItemKey(type, name);
    return runStatement(this.db, readReferrers(type, name));
  }

  /** Rewrites every item of the type still of an older schema version to the current one (upcast), as one changeset. */
  async migrateType(type: string, context: WriteContext = {}): Promise<MigrateTypeResult> {
    checkType(type);
    checkWriteContext(context, writeContextKeys);
    return migrateType(this.types, this.internals.commitChangeset, this.settings.snapshot, type, context);
  }

  /** The plumbing the driver, service and history writers use (see StoreInternals); built once. */
  private buildInternals(): StoreInternals {
    const { runtime, committer, settings, datasource } = this;
    return {
      start: () => runtime.start({ prune: (options) => this.prune(options), compact: (every) => this.compactSnapshots({ every }) }),
      datasource,
      settings,
      snapshotPolicy: settings.snapshot,
      payloadCheck: () => this.payloadCheck(),
      currentShape: (states) => this.typedReads.upcast(states),
      commitChangeset: async (context, planner, options = {}) => {
        // read before the commit: on PGlite its transaction holds the only connection
        const check = await this.payloadCheck();
        const plan = async ({ db }: PlanningContext) => {
          const planned = await planner(db);
          checkPayloads(planned.events, check);
          return planned;
        };
        const { joinsChangeset, ...commitOptions } = options;
        const committed = await committer.commit(settings.isolation, context, plan, {
          ...commitOptions,
          ...(joinsChangeset ? { joinsChangeset: true, identity: { id: joinsChangeset, mayExist: false } } : {}),
        });
        // with no changeset id from the caller, a replay is of this call's own earlier attempt: its plan is known
        return { ...committed, result: committed.result as NonNullable<typeof committed.result> };
      },
      openChangeset: async (context) => {
        const id = randomUUID();
        await committer.openChangeset({ id, ...context });
        return id;
      },
      settleChangeset: (id) => committer.settleChangeset(id),
      announceChanges: (items) => {
        if (items === 'all') this.forgetAll();
        else for (const { type, name } of items) this.forget(type, name);
        runtime.committed(items);
      },
      primeCache: (records) => {
        for (const record of records) this.cache.set(record.type, record.name, deepFreeze(record));
      },
    };
  }

  /** The payload check as writers take it before they send anything: a connection failure here is a write not applied. */
  private async payloadCheck(): Promise<PayloadCheck> {
    try {
      return await this.types.payloadCheck();
    } catch (error) {
      if (error instanceof DatasourceUnavailableError && error.outcome === undefined) throw writeNotApplied(error);
      throw error;
    }
  }

  /** Forgets every cached record and head. */
  clearCache(): void {
    this.cache.clear();
    this.committer.forgetHeads();
  }

  /** An item changed: its head is stale; its cached record too, unless the cache is told to ride out its TTL. */
  private forget(type: string, name: string): void {
    if (type === TYPE_DEFINITION_TYPE) this.types.forget();
    if (this.settings.cache.invalidateOnWrite) this.cache.delete(type, name);
    this.committer.forgetHeads({ type, name });
  }

  private forgetAll(): void {
    this.types.forget();
    if (this.settings.cache.invalidateOnWrite) this.cache.clear();
    this.committer.forgetHeads();
  }

  /** Stops background work and closes every connection; the store is unusable afterwards. */
  async close(): Promise<void> {
    await this.runtime.close();
    await this.datasource.close();
  }

  /**
   * One item's write, committed by `commitItem` (which reads or remembers the head `plan` turns into the
   * event). Every try shares one changeset id, so a write is applied at most once whatever its connection did.
   */
  private async write(
    type: string,
    name: string,
    isolation: Isolation,
    context: WriteContext & IdempotentWrite & { target?: Record<string, unknown> },
    options: CommitOptions,
    plan: (head: StreamHead | null) => WritePlan,
    started: number,
  ): Promise<SaveResult> {
    const { changesetId, ...writeContext } = context;
    if (changesetId !== undefined) parseInput(changesetIdSchema, changesetId, 'changesetId');
    const identity = { id: changesetId ?? randomUUID(), mayExist: changesetId !== undefined };
    const committed = await this.committer.commitItem(isolation, writeContext, { type, name }, plan, { ...options, identity });
    const { result: planned, appended, retries, replayed } = committed;
    if (replayed) return replayedSave(type, name, identity.id, appended, retries, performance.now() - started);
    if (!planned) throw new Error('a commit that was not replayed always has a plan');
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
      changesetId: planned.action === 'write' ? identity.id : undefined,
      replayed: false,
    };
  }
}

/** Runs update's change function; what it throws is the caller's error, reported as such. */
function applyChange<C, R>(change: (current: C) => R, current: C): R {
  try {
    return change(current);
  } catch (error) {
    if (isMetaledgerError(error)) throw error;
    throw new ValidationError([{ path: 'change', message: `threw: ${(error as Error)?.message ?? String(error)}` }], 'invalid update');
  }
}

/** The iterator's errors, like every public call's, are MetaledgerErrors. */
async function* guardIterator<T>(iterator: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* iterator;
  } catch (error) {
    throw toPublicError(error);
  }
}

const ONE_ITEM = 'store.load reads one item by type and name';

function parseStoreLoadOptions(options: StrictMetadataLoadOptionsInput): StrictMetadataLoadOptions {
  const parsed = parseOptions(StrictMetadataLoadOptionsSchema, options, 'load options');
  refuseFileLoadOptions(parsed);
  refuseInapplicable('load options', [
    ...notChosenByName(parsed),
    ['filters', parsed.filters !== undefined, `${ONE_ITEM}; driver.load or a loader's load returns it only when it matches filters`],
    ['sort', parsed.sort !== undefined, `${ONE_ITEM}: there is no list to sort (store.list, driver.list)`],
    ['limit', parsed.limit !== undefined, `${ONE_ITEM}: there is no list to limit (store.list, driver.list)`],
  ]);
  return parsed;
}

function stripContext(options: SaveOptions): StrictMetadataSaveOptionsInput {
  const { source: _source, changesetId: _changesetId, ...rest } = options;
  return rest;
}

const changesetIdSchema = z.string().uuid();

/**
 * The outcome of a write whose changeset an earlier call (or attempt) already committed: what that
 * changeset appended for this item. A changeset id used for another item is a conflict, not a replay.
 */
function replayedSave(
  type: string,
  name: string,
  changesetId: string,
  appended: AppendedEvent[],
  retries: number,
  saveTime: number,
): SaveResult {
  const [event] = appended;
  if (appended.length !== 1 || event.type !== type || event.name !== name) {
    throw new ConflictError(`changeset ${changesetId} was already committed by another write; give each write its own changesetId`);
  }
  return {
    success: true,
    version: event.version,
    etag: etagOf(event.version),
    created: event.kind === 'created',
    skipped: false,
    unchanged: false,
    saveTime,
    retries,
    position: event.position,
    changesetId,
    replayed: true,
  };
}

guardPublicMethods(MetadataStore, [
  'projectionStatus',
  'rebuild',
  'watch',
  'changeStream',
  'collectionInfo',
  'save',
  'update',
  'delete',
  'archive',
  'load',
  'exists',
  'list',
  'history',
  'changes',
  'getAt',
  'snapshotAt',
  'diff',
  'blame',
  'rollback',
  'restore',
  'revertChangeset',
  'verify',
  'tag',
  'tags',
  'getTag',
  'diffStore',
  'anchor',
  'prune',
  'compactSnapshots',
  'defineType',
  'listTypes',
  'getType',
  'references',
  'migrateType',
  'close',
]);

const internalsByStore = new WeakMap<MetadataStore, StoreInternals>();

/**
 * Builds a store over an open datasource with resolved settings and the shipped projections; not part of the
 * package's API (users open a store with `createMetadataStore`, which calls this and then starts it).
 */
export function constructStore(datasource: Datasource, settings: StoreSettings, shipped: ShippedProjections): MetadataStore {
  return storeConstructor(datasource, settings, shipped);
}

/** The store's plumbing, for code inside metaledger (driver, service, history writers); not part of the package's API. */
export function internalsOf(store: MetadataStore): StoreInternals {
  const internals = internalsByStore.get(store);
  if (!internals) throw new TypeError('not a MetadataStore');
  return internals;
}
