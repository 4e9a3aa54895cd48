import { describeTable } from '../table/framework-metadata-table.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import {
  StrictMetadataDriverConfigSchema,
  type StrictMetadataDriverConfig,
  type StrictMetadataDriverConfigInput,
} from '../protocol/index.js';
import type { StoreSettings } from '../store/store-internals.js';
import { parseOptions } from '../input/parse-input.js';

/** A MetadataDriverConfig input, checked by StrictMetadataDriverConfigSchema (`datasource` may be left out). */
export type DriverConfigInput = StrictMetadataDriverConfigInput;

/**
 * Parses the driver config for a store that is already open. The table, transactions and cache are the
 * store's (fixed when it opened): given here with other values they would be silently ignored, so that
 * is refused; left out, the store's values are the driver's.
 */
export function resolveDriverConfig(settings: StoreSettings, storeSchema: string, input: DriverConfigInput): StrictMetadataDriverConfig {
  const config = parseOptions(StrictMetadataDriverConfigSchema, input, 'driver config');
  const issues: ValidationIssue[] = [];
  const differs = (path: string, given: unknown, storeValue: unknown) => {
    if (given !== undefined && given !== storeValue)
      issues.push({ path, message: `${JSON.stringify(given)} differs from the store's ${JSON.stringify(storeValue)}` });
  };
  if (input.tableSchema) {
    const table = describeTable(config.tableSchema, storeSchema);
    if (JSON.stringify(table) !== JSON.stringify(settings.table)) {
      issues.push({
        path: 'tableSchema',
        message: `describes ${table.qualifiedName}, but the store's projection is ${settings.table.qualifiedName} with other columns or indexes`,
      });
    }
  }
  const { transaction, performance } = input;
  differs('transaction.defaultIsolation', transaction?.defaultIsolation, settings.isolation);
  differs('transaction.timeout', transaction?.timeout, settings.timeoutMs);
  differs('transaction.retryOnConflict', transaction?.retryOnConflict, settings.retry.retryOnConflict);
  differs('transaction.maxRetries', transaction?.maxRetries, settings.retry.maxRetries);
  differs('performance.enableCache', performance?.enableCache, settings.cache.enabled);
  differs('performance.cacheTtlSeconds', performance?.cacheTtlSeconds, settings.cache.ttlSeconds);
  // prefetching warms the cache: asked for explicitly without one, that is refused; defaulted (true inside
  // a `performance` section, as in the protocol), it has nothing to warm and is off
  const prefetch = config.performance.prefetchOnInit && settings.cache.enabled;
  if (performance?.prefetchOnInit === true && !settings.cache.enabled) {
    issues.push({ path: 'performance.prefetchOnInit', message: 'needs the cache (performance.enableCache) to warm' });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      'driver config disagrees with its store (set these when opening the store, or use createMetadataDriver)',
    );
  }
  return {
    ...config,
    tableSchema: { ...config.tableSchema, schema: settings.table.schema, name: settings.table.name },
    transaction: { defaultIsolation: settings.isolation, timeout: settings.timeoutMs, ...settings.retry },
    performance: {
      ...config.performance,
      prefetchOnInit: prefetch,
      enableCache: settings.cache.enabled,
      cacheTtlSeconds: settings.cache.ttlSeconds,
    },
  };
}
