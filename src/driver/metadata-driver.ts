import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import { ValidationError } from '../errors.js';
import {
  StrictMetadataLoadOptionsSchema,
  StrictMetadataQueryOptionsSchema,
  type StrictMetadataBulkOperationInput,
  type StrictMetadataDriverConfig,
  type StrictMetadataLoadOptions,
  type StrictMetadataLoadOptionsInput,
  type StrictMetadataMigrationOperationInput,
  type StrictMetadataQueryOptionsInput,
} from '../protocol/index.js';
import { etagOf, internalsOf, type LoadResult, type MetadataStore } from '../store/metadata-store.js';
import type { StoreInternals } from '../store/store-internals.js';
import { parseOptions } from '../input/parse-input.js';
import { bulkOperationInput } from '../input/bulk-input.js';
import { checkWriteContext } from '../input/free-text.js';
import { checkItemKey, checkType } from '../input/item-key.js';
import { guardPublicMethods } from '../input/public-boundary.js';
import { loadOptionsInput, queryOptionsInput } from '../input/query-input.js';
import { RecordReader, type StoredRecord } from '../store/read-records.js';
import type { BulkOperationResult } from './bulk/bulk-result.js';
import { runBulk, type BulkContext, type BulkSettings } from './bulk/run-bulk.js';
import { resolveDriverConfig, type DriverConfigInput } from './driver-config.js';
import { existingBackups, listMigrations, type MigrationRecord } from '../migrate/table/migration-log.js';
import { prepareDatabase } from '../migrate/table/prepare-projection.js';
import {
  rollbackMigration,
  runMigration,
  type MigrationContext,
  type MigrationEnv,
  type MigrationResult,
} from '../migrate/table/run-migration.js';
import { refuseInapplicableFilteredLoadOptions, refuseInapplicableListOptions } from './driver-load-options.js';
import { narrowFilters } from './query/narrow-filters.js';
import { explainQuery, runQuery, type QueryResult, type QuerySettings } from './query/run-query.js';

/** The type and name of every record that has them (a refused operation may hold anything). */
function itemKeysOf(records: unknown): { type: string; name: string }[] {
  if (!Array.isArray(records)) return [];
  return records.flatMap((record: unknown) => {
    const { type, name } = (record ?? {}) as { type?: unknown; name?: unknown };
    return typeof type === 'string' && typeof name === 'string' ? [{ type, name }] : [];
  });
}

/**
 * The Metadata Driver: queries, bulk operations and schema migrations over a store's projection, as
 * MetadataDriverConfig sets them up. Reads and writes of single items stay on the store (`driver.store`).
 */
export class MetadataDriver {
  /** The driver configuration as parsed (MetadataDriverConfig with the strict checks). */
  readonly config: StrictMetadataDriverConfig;
  /** autoMigrate runs when a store opens; a driver built over an open store migrates in init() only when told to explicitly. */
  private readonly migrateOnInit: boolean;
  private readonly reader: RecordReader;
  private readonly bulkSettings: BulkSettings;
  private readonly querySettings: QuerySettings;
  /** The store's plumbing: settings, datasource, commit path, cache (see StoreInternals). */
  private readonly internals: StoreInternals;

  constructor(
    readonly store: MetadataStore,
    config: DriverConfigInput = {},
  ) {
    const internals = internalsOf(store);
    this.internals = internals;
    this.config = resolveDriverConfig(internals.settings, internals.datasource.schema, config);
    this.migrateOnInit = config.migration?.autoMigrate === true;
    this.reader = new RecordReader(this.table);
    this.querySettings = { ...this.config.query };
    this.bulkSettings = { defaultBatchSize: this.config.performance.batchSize, snapshot: internals.settings.snapshot };
  }

  private get limits() {
    return this.internals.settings.limits;
  }

  /** The projection table the driver queries: its name, schema and column mapping. */
  get table(): FrameworkMetadataTable {
    return this.internals.settings.table;
  }

  /**
   * An explicit migration.autoMigrate: true (schema and projection table; idempotent), then
   * performance.prefetchOnInit. createMetadataDriver calls it.
   */
  async init(): Promise<this> {
    const { migration, performance } = this.config;
    if (this.migrateOnInit) await prepareDatabase(this.internals.datasource, this.table, migration);
    if (performance.prefetchOnInit) await this.prefetch();
    return this;
  }

  /** Loads every row of the projection into the store's cache; resolves to how many. */
  async prefetch(): Promise<number> {
    const records = await this.reader.all(this.store.db);
    this.internals.primeCache(records);
    return records.length;
  }

  /**
   * Records of the projection matching filters (field operators, JSON paths), sorted and paged, with the total.
   *
   * @example
   * ```ts
   * const { records, total } = await driver.query({ type: 'object', filters: { namespace: 'crm' }, sort: [{ field: 'name' }], limit: 20 });
   * ```
   */
  async query(options: StrictMetadataQueryOptionsInput = {}): Promise<QueryResult> {
    const parsed = parseOptions(StrictMetadataQueryOptionsSchema, queryOptionsInput(options, this.limits), 'query options');
    return runQuery(this.store.db, this.table, parsed, this.querySettings);
  }

  /** The plan PostgreSQL would use for `query(options)`, one line per node. */
  async explain(options: StrictMetadataQueryOptionsInput = {}): Promise<string[]> {
    const parsed = parseOptions(StrictMetadataQueryOptionsSchema, queryOptionsInput(options, this.limits), 'query options');
    return explainQuery(this.store.db, this.table, parsed, this.querySettings);
  }

  /**
   * One item. Without `filters` this is the store's (cached) load; with them, the item is returned only
   * if it matches them too.
   */
  async load(type: string, name: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoadResult> {
    checkItemKey(type, name);
    const given = loadOptionsInput(options, this.limits);
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, given, 'load options');
    if (!parsed.filters || Object.keys(parsed.filters).length === 0) return this.store.load(type, name, given);
    refuseInapplicableFilteredLoadOptions(parsed);
    const started = performance.now();
    const filters = narrowFilters(parsed.filters, { type, name, namespace: parsed.namespace, scope: parsed.scope });
    const found = filters ? await this.query({ filters, includeArchived: true, limit: 1 }) : undefined;
    const record = (found?.records[0] as StoredRecord | undefined) ?? null;
    const etag = record ? etagOf(record.version) : undefined;
    const notModified = etag !== undefined && parsed.ifNoneMatch === etag;
    return { data: notModified ? null : record, fromCache: false, notModified, etag, loadTime: performance.now() - started };
  }

  /**
   * The items of one type matching `filters`, `namespace` and `scope`, in `sort` order, at most `limit`;
   * archived items only when the state filter names them (as in query). Without a limit, more than
   * query.maxResultSize matching items is an error rather than a silent cut.
   */
  async list(type: string, options: StrictMetadataLoadOptionsInput = {}): Promise<StoredRecord[]> {
    checkType(type);
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, loadOptionsInput(options, this.limits), 'load options');
    refuseInapplicableListOptions(parsed);
    return this.listParsed(type, parsed);
  }

  /** Lists several types: concurrently with performance.parallelLoad, else one after another. */
  async loadTypes(types: string[], options: StrictMetadataLoadOptionsInput = {}): Promise<Record<string, StoredRecord[]>> {
    if (!Array.isArray(types)) throw new ValidationError([{ path: 'types', message: 'must be an array of types' }], 'invalid types');
    types.forEach((type, i) => checkType(type, `types.${i}`));
    const parsed = parseOptions(StrictMetadataLoadOptionsSchema, loadOptionsInput(options, this.limits), 'load options');
    refuseInapplicableListOptions(parsed);
    const load = (type: string) => this.listParsed(type, parsed).then((records) => [type, records] as const);
    if (this.config.performance.parallelLoad) return Object.fromEntries(await Promise.all(types.map(load)));
    const loaded: Record<string, StoredRecord[]> = {};
    for (const type of types) loaded[type] = (await load(type))[1];
    return loaded;
  }

  /** Creates, updates, upserts or deletes many records as ONE changeset: all or nothing, with a result per record. */
  async bulkOperation(operation: StrictMetadataBulkOperationInput, context: BulkContext = {}): Promise<BulkOperationResult> {
    const input = bulkOperationInput(operation, this.limits);
    checkWriteContext(context, ['actor', 'reason', 'correlationId']);
    let allCommitted = false;
    try {
      const result = await runBulk(this.internals, this.bulkSettings, input, context);
      allCommitted = result.success;
      return result;
    } finally {
      // every commit seen to land was announced by the commit itself; a call that failed in part may have
      // committed what it could not see land: its items must not be served stale, and watchers may have news
      if (!allCommitted) this.internals.announceChanges(itemKeysOf(input.records));
    }
  }

  /** Changes the projection table's shape (add or drop columns and indexes, a checked script), logged and backed up. */
  async migrate(operation: StrictMetadataMigrationOperationInput, context: MigrationContext = {}): Promise<MigrationResult> {
    try {
      return await runMigration(this.migrationEnv(), operation, context);
    } finally {
      this.store.clearCache();
    }
  }

  /** Runs the rollbackScript of migration `id` (from `migrations()`), on request. */
  async rollbackMigration(id: number, context: MigrationContext = {}): Promise<MigrationResult> {
    try {
      return await rollbackMigration(this.migrationEnv(), id, context);
    } finally {
      this.store.clearCache();
    }
  }

  /** The projection's entries in the migration log, newest first. */
  migrations(limit?: number): Promise<MigrationRecord[]> {
    return listMigrations(this.store.db, this.table, limit);
  }

  /** Backups of the projection that can be restored, newest first. */
  backups(): Promise<string[]> {
    return existingBackups(this.store.db, this.table);
  }

  /** Closes the store behind the driver. */
  close(): Promise<void> {
    return this.store.close();
  }

  private async listParsed(type: string, options: StrictMetadataLoadOptions): Promise<StoredRecord[]> {
    const filters = narrowFilters(options.filters ?? {}, { type, namespace: options.namespace, scope: options.scope });
    if (!filters) return [];
    const { maxResultSize } = this.config.query;
    const sort = options.sort === undefined ? undefined : [options.sort].flat();
    const result = await this.query({ filters, sort, limit: options.limit ?? maxResultSize });
    if (options.limit === undefined && result.hasMore) {
      throw new ValidationError(
        [
          {
            path: 'limit',
            message: `${result.total} ${type} items match, more than query.maxResultSize (${maxResultSize}); pass a limit or page with query()`,
          },
        ],
        'result too large',
      );
    }
    return result.records as StoredRecord[];
  }

  private migrationEnv(): MigrationEnv {
    const { settings, datasource } = this.internals;
    const { dropOnMigrate, backupBeforeMigrate } = this.config.migration;
    return { datasource, table: this.table, dropOnMigrate, backupBeforeMigrate, secrets: settings.secrets };
  }
}

guardPublicMethods(MetadataDriver, [
  'init',
  'prefetch',
  'query',
  'explain',
  'load',
  'list',
  'loadTypes',
  'bulkOperation',
  'migrate',
  'rollbackMigration',
  'migrations',
  'backups',
  'close',
]);
