import { StrictMetadataDatasourceConfigSchema, type MetadataDatasourceConfigInput } from '../protocol/index.js';
import type { CreateMetadataStoreOptions } from '../store/create-store.js';
import { parseOptions } from '../input/parse-input.js';

/**
 * The loader-level MetadataDatasourceConfig as store / driver options: `schema` is where the store's
 * tables live (the log and the projection), `table` names the projection table, `autoMigrate` is
 * migration.autoMigrate, `cache` the store's cache, and `queryOptions` become performance.batchSize,
 * query.useIndexes and performance.parallelLoad. Sections left out keep the driver's defaults.
 * Connection settings (which database) come from elsewhere and are merged in by the caller.
 */
export function fromDatasourceConfig(
  input: MetadataDatasourceConfigInput,
): Required<Pick<CreateMetadataStoreOptions, 'driver'>> & Pick<CreateMetadataStoreOptions, 'schema' | 'cache'> {
  const config = parseOptions(StrictMetadataDatasourceConfigSchema, input, 'datasource config');
  const { cache, queryOptions } = config;
  return {
    schema: config.schema,
    driver: {
      datasource: config.datasource,
      tableSchema: { name: config.table },
      migration: { autoMigrate: config.autoMigrate },
      ...(cache || queryOptions
        ? {
            performance: {
              // the section is given only to carry these: it asks for no prefetch
              prefetchOnInit: false,
              ...(queryOptions ? { batchSize: queryOptions.batchSize, parallelLoad: queryOptions.parallelLoad } : {}),
              ...(cache ? { enableCache: cache.enabled, cacheTtlSeconds: cache.ttlSeconds } : {}),
            },
          }
        : {}),
      ...(queryOptions ? { query: { useIndexes: queryOptions.useIndexes } } : {}),
    },
    ...(cache ? { cache } : {}),
  };
}
