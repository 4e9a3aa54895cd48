import { MetadataDatasourceConfigSchema, type MetadataDatasourceConfigInput } from '../protocol/index.js';
import type { CreateMetadataStoreOptions } from '../store/create-store.js';
import { parseInput } from '../store/parse-input.js';

/**
 * The loader-level MetadataDatasourceConfig as store / driver options: `schema` is where the store's
 * tables live (the log and the projection), `table` names the projection table, `autoMigrate` is
 * migration.autoMigrate, `cache` the store's cache, and
 * `queryOptions` become performance.batchSize, query.useIndexes and performance.parallelLoad.
 * Connection settings (which database) come from elsewhere and are merged in by the caller.
 */
export function fromDatasourceConfig(
  input: MetadataDatasourceConfigInput,
): Pick<CreateMetadataStoreOptions, 'schema' | 'driver' | 'cache'> {
  const config = parseInput(MetadataDatasourceConfigSchema, input, 'datasource config');
  return {
    schema: config.schema,
    driver: {
      datasource: config.datasource,
      tableSchema: { name: config.table },
      migration: { autoMigrate: config.autoMigrate },
      performance: {
        batchSize: config.queryOptions.batchSize,
        parallelLoad: config.queryOptions.parallelLoad,
        enableCache: config.cache.enabled,
        cacheTtlSeconds: config.cache.ttlSeconds,
      },
      query: { useIndexes: config.queryOptions.useIndexes },
    },
    cache: config.cache,
  };
}
