import { MetadataDriver } from '../../driver/metadata-driver.js';
import { ConflictError, ValidationError, type ValidationIssue } from '../../errors.js';
import {
  StrictMetadataLoaderContractSchema,
  StrictMetadataLoadOptionsSchema,
  type MetadataLoaderContract,
  type MetadataLoaderContractInput,
  type StrictMetadataLoadOptions,
  type StrictMetadataLoadOptionsInput,
} from '../../protocol/index.js';
import { internalsOf, type MetadataStore } from '../../store/metadata-store.js';
import type { ListFilters } from '../../store/read-records.js';
import { parseInput } from '../../input/parse-input.js';
import { checkExpectedEtag } from '../../input/free-text.js';
import { checkItemKey, checkType } from '../../input/item-key.js';
import { guardPublicMethods } from '../../input/public-boundary.js';
import { loadOptionsInput } from '../../input/query-input.js';
import { refuseFileLoadOptions } from '../../store/store-options.js';
import { contentStats } from '../content-stats.js';
import {
  refuseOtherLoader,
  requireCapability,
  type LoaderDeleteOptions,
  type LoaderLoadResult,
  type LoaderRecord,
  type LoaderSaveOptions,
  type LoaderSaveResult,
  type MetadataLoader,
  type WatchHandler,
} from '../loader.js';
import { matchesLoadOptions, shapeRecords } from '../shape-records.js';
import { watchChangeFeed, type ChangeFeedWatchOptions } from './watch-changes.js';

/** The store's etags are `"v<version>"`; anything else cannot be a version this store handed out. */
function expectedVersionOf(etag: string | null | undefined, key: string): number | undefined {
  if (etag === undefined) return undefined;
  if (etag === null) return 0;
  const match = /^(?:W\/)?"v(\d+)"$/.exec(etag);
  if (!match) throw new ConflictError(`${key}: etag ${etag} is not one this database handed out`);
  return Number(match[1]);
}

/** The one value of a filter that may be a list, when it is a single value (the store filters on those). */
const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;

/**
 * `database:` — this store: read, write, list, and watch through the change feed. The contract's
 * datasourceConfig describes the store (its schema, projection table and cache); its queryOptions set
 * up the loader's `driver` (queries, bulk operations, loading several types at once).
 */
export class DatabaseLoader implements MetadataLoader {
  readonly contract: MetadataLoaderContract;
  /** The Metadata Driver over this loader's store, as the contract's queryOptions configure it. */
  readonly driver: MetadataDriver;

  constructor(
    readonly store: MetadataStore,
    contract: Partial<MetadataLoaderContractInput> = {},
    private readonly ownsStore = false,
  ) {
    const { settings, datasource } = internalsOf(store);
    const { cache, table } = settings;
    this.contract = parseInput(
      StrictMetadataLoaderContractSchema,
      {
        name: 'database',
        protocol: 'database:',
        supportedFormats: ['json'],
        capabilities: { read: true, write: true, watch: true, list: true },
        ...contract,
        datasourceConfig: {
          datasource: 'default',
          schema: datasource.schema,
          table: table.name,
          cache,
          ...contract.datasourceConfig,
        },
      },
      'loader contract',
    );
    const config = this.contract.datasourceConfig!;
    const issues: ValidationIssue[] = [];
    const differs = (path: string, given: unknown, actual: unknown, what: string) => {
      if (given !== undefined && given !== actual)
        issues.push({ path, message: `${what} ${JSON.stringify(actual)}, not ${JSON.stringify(given)}` });
    };
    if (this.contract.protocol !== 'database:')
      issues.push({ path: 'protocol', message: `a database loader speaks 'database:', not '${this.contract.protocol}'` });
    differs('datasourceConfig.schema', config.schema, datasource.schema, 'the store lives in schema');
    differs('datasourceConfig.table', config.table, table.name, 'the store projects into');
    // the loader can read around the store's cache, not cache what the store does not, nor on other terms
    if (config.cache?.enabled && !cache.enabled)
      issues.push({ path: 'datasourceConfig.cache.enabled', message: 'the store caches nothing (performance.enableCache: false)' });
    differs('datasourceConfig.cache.ttlSeconds', config.cache?.ttlSeconds, cache.ttlSeconds, "the store's cache keeps records for");
    differs(
      'datasourceConfig.cache.invalidateOnWrite',
      config.cache?.invalidateOnWrite,
      cache.invalidateOnWrite,
      "the store's cache has invalidateOnWrite",
    );
    if (issues.length > 0) throw new ValidationError(issues, 'loader contract does not match the store');
    const { queryOptions } = config;
    this.driver = new MetadataDriver(
      store,
      queryOptions
        ? {
            performance: { batchSize: queryOptions.batchSize, parallelLoad: queryOptions.parallelLoad, prefetchOnInit: false },
            query: { useIndexes: queryOptions.useIndexes },
          }
        : {},
    );
  }

  private parseLoadOptions(options: StrictMetadataLoadOptionsInput): StrictMetadataLoadOptions {
    const parsed = parseInput(
      StrictMetadataLoadOptionsSchema,
      loadOptionsInput(options, internalsOf(this.store).settings.limits),
      'load options',
    );
    refuseFileLoadOptions(parsed);
    refuseOtherLoader(this.contract, parsed);
    return parsed;
  }

  private useCache(options: StrictMetadataLoadOptions): boolean {
    const { contract } = this;
    return (
      contract.supportsCache !== false &&
      contract.datasourceConfig!.cache?.enabled !== false &&
      options.cache !== false &&
      options.useCache !== false
    );
  }

  /** One item; `scope`, `namespace` and `filters` make it found only when it matches them. */
  async load(type: string, name: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoaderLoadResult> {
    requireCapability(this.contract, 'read');
    checkItemKey(type, name);
    const parsed = this.parseLoadOptions(options);
    const { data, fromCache, etag, loadTime } = await this.store.load(type, name, {
      scope: parsed.scope,
      namespace: parsed.namespace,
      cache: this.useCache(parsed),
    });
    if (!data || !etag || !matchesLoadOptions(data, { filters: parsed.filters }))
      return { data: null, fromCache, notModified: false, loadTime };
    if (parsed.ifNoneMatch === etag) return { data: null, fromCache, notModified: true, etag, loadTime };
    const stats = contentStats(JSON.stringify(data), new Date(data.updatedAt ?? Date.now()), undefined, etag);
    return { data, fromCache, notModified: false, etag, stats, loadTime };
  }

  async list(type: string, options: StrictMetadataLoadOptionsInput = {}): Promise<LoaderRecord[]> {
    requireCapability(this.contract, 'list');
    checkType(type);
    const parsed = this.parseLoadOptions(options);
    const filters = parsed.filters ?? {};
    const pushed: ListFilters = {
      namespace: parsed.namespace ?? single(filters.namespace),
      scope: parsed.scope ?? single(filters.scope),
      state: single(filters.state),
      owner: filters.owner,
    };
    // the store sorts by name: the limit can go to SQL only when nothing else decides the order or the match
    const onlyPushed =
      !parsed.sort &&
      !filters.custom &&
      !filters.name &&
      [filters.namespace, filters.scope, filters.state].every((value) => value === undefined || single(value) !== undefined);
    if (onlyPushed) pushed.limit = parsed.limit;
    return shapeRecords(await this.store.list(type, pushed), parsed);
  }

  async save(type: string, record: Parameters<MetadataLoader['save']>[1], options: LoaderSaveOptions = {}): Promise<LoaderSaveResult> {
    requireCapability(this.contract, 'write');
    const { expectedEtag, loader, datasource, ...rest } = options;
    checkExpectedEtag(expectedEtag);
    refuseOtherLoader(this.contract, { loader, datasource });
    const result = await this.store.save(type, record, {
      ...rest,
      expectedVersion: expectedVersionOf(expectedEtag, `${type}/${record.name}`),
    });
    return {
      success: result.success,
      etag: result.etag,
      version: result.version,
      created: result.created,
      skipped: result.skipped,
      saveTime: result.saveTime,
    };
  }

  async delete(type: string, name: string, options: LoaderDeleteOptions = {}): Promise<{ success: boolean; etag?: string }> {
    requireCapability(this.contract, 'write');
    const { expectedEtag, ...context } = options;
    checkExpectedEtag(expectedEtag);
    const result = await this.store.delete(type, name, { ...context, expectedVersion: expectedVersionOf(expectedEtag, `${type}/${name}`) });
    return { success: result.success, etag: result.etag };
  }

  watch(handler: WatchHandler, options: ChangeFeedWatchOptions = {}) {
    requireCapability(this.contract, 'watch');
    return watchChangeFeed(this.store, handler, options);
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}

guardPublicMethods(DatabaseLoader, ['load', 'list', 'save', 'delete', 'watch', 'close']);
