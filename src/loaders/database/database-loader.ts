import { ConflictError, ValidationError } from '../../errors.js';
import {
  MetadataLoadOptionsSchema,
  MetadataLoaderContractSchema,
  type MetadataLoadOptions,
  type MetadataLoadOptionsInput,
  type MetadataLoaderContract,
  type MetadataLoaderContractInput,
  type MetadataRecord,
} from '../../protocol/index.js';
import type { MetadataStore } from '../../store/metadata-store.js';
import type { ListFilters } from '../../store/read-records.js';
import { parseInput } from '../../store/parse-input.js';
import { checkExpectedEtag } from '../../input/free-text.js';
import { checkItemKey, checkType } from '../../input/item-key.js';
import { guardPublicMethods } from '../../input/public-boundary.js';
import { loadOptionsInput } from '../../input/query-input.js';
import { contentStats } from '../content-stats.js';
import {
  requireCapability,
  type LoaderDeleteOptions,
  type LoaderLoadResult,
  type LoaderSaveOptions,
  type LoaderSaveResult,
  type MetadataLoader,
  type WatchHandler,
} from '../loader.js';
import { shapeRecords } from '../shape-records.js';
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

/** `database:` — this store: read, write, list, and watch through the change feed. */
export class DatabaseLoader implements MetadataLoader {
  readonly contract: MetadataLoaderContract;

  constructor(
    readonly store: MetadataStore,
    contract: Partial<MetadataLoaderContractInput> = {},
    private readonly ownsStore = false,
  ) {
    const { cache } = store.settings;
    this.contract = parseInput(
      MetadataLoaderContractSchema,
      {
        name: 'database',
        protocol: 'database:',
        capabilities: { read: true, write: true, watch: true, list: true },
        ...contract,
        datasourceConfig: { datasource: 'default', schema: store.datasource.schema, cache, ...contract.datasourceConfig },
      },
      'loader contract',
    );
    const config = this.contract.datasourceConfig!;
    const issues = [];
    if (this.contract.protocol !== 'database:')
      issues.push({ path: 'protocol', message: `a database loader speaks 'database:', not '${this.contract.protocol}'` });
    if (config.schema !== store.datasource.schema)
      issues.push({
        path: 'datasourceConfig.schema',
        message: `the store lives in schema '${store.datasource.schema}', not '${config.schema}'`,
      });
    if (config.table !== store.settings.table.name)
      issues.push({
        path: 'datasourceConfig.table',
        message: `the store projects into '${store.settings.table.name}', not '${config.table}'`,
      });
    if (issues.length > 0) throw new ValidationError(issues, 'loader contract does not match the store');
  }

  private useCache(options: MetadataLoadOptions): boolean {
    return this.contract.datasourceConfig!.cache.enabled && options.cache !== false && options.useCache !== false;
  }

  async load(type: string, name: string, options: MetadataLoadOptionsInput = {}): Promise<LoaderLoadResult> {
    requireCapability(this.contract, 'read');
    checkItemKey(type, name);
    const parsed = parseInput(MetadataLoadOptionsSchema, loadOptionsInput(options, this.store.settings.limits), 'load options');
    const result = await this.store.load(type, name, {
      scope: parsed.scope,
      namespace: parsed.namespace,
      ifNoneMatch: parsed.ifNoneMatch,
      cache: this.useCache(parsed),
    });
    const { data } = result;
    const stats = data ? contentStats(JSON.stringify(data), new Date(data.updatedAt ?? Date.now()), undefined, result.etag) : undefined;
    return { ...result, data, ...(stats ? { stats } : {}) };
  }

  async list(type: string, options: MetadataLoadOptionsInput = {}): Promise<MetadataRecord[]> {
    requireCapability(this.contract, 'list');
    checkType(type);
    const parsed = parseInput(MetadataLoadOptionsSchema, loadOptionsInput(options, this.store.settings.limits), 'load options');
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
    const { expectedEtag, ...rest } = options;
    checkExpectedEtag(expectedEtag);
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
