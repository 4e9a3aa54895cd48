/**
 * Metadata Datasource Protocol: zod schemas and inferred types.
 * Every export is listed by name so the public surface stays deliberate.
 */

export { SQL_IDENTIFIER_MAX_LENGTH, SQL_IDENTIFIER_MESSAGE, SQL_IDENTIFIER_PATTERN, SqlIdentifierSchema } from './identifier.js';
export type { SqlIdentifier } from './identifier.js';

export { JsonValueSchema } from './json.js';
export type { JsonPrimitive, JsonValue } from './json.js';

export {
  DATASOURCE_DRIVERS,
  DATASOURCE_NAME_PATTERN,
  DatasourceConnectionConfigSchema,
  DatasourceDriverSchema,
  DatasourceNameSchema,
  DatasourcePoolSchema,
  DatasourceSchema,
  DatasourceSslOptionsSchema,
  SslModeSchema,
} from './datasource.js';
export type {
  Datasource,
  DatasourceConnectionConfig,
  DatasourceDriver,
  DatasourceInput,
  DatasourceName,
  DatasourcePool,
  DatasourcePoolInput,
  DatasourceSslOptions,
  SslMode,
} from './datasource.js';

export {
  IsoDateTimeSchema,
  MetadataFormatSchema,
  MetadataNamespaceSchema,
  MetadataPayloadSchema,
  MetadataRecordNameSchema,
  MetadataRecordSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  MetadataStatsSchema,
  MetadataStrategySchema,
  MetadataTypeNameSchema,
} from './record.js';
export type {
  IsoDateTime,
  MetadataFormat,
  MetadataPayload,
  MetadataRecord,
  MetadataRecordInput,
  MetadataScope,
  MetadataState,
  MetadataStats,
  MetadataStrategy,
} from './record.js';

export { MetadataIsolationLevelSchema } from './transaction.js';
export type { MetadataIsolationLevel } from './transaction.js';

export {
  METADATA_ENVELOPE_FIELDS,
  METADATA_FILTER_OPERATORS,
  METADATA_JSON_PATH_PATTERN,
  MetadataCustomFilterConditionSchema,
  MetadataFilterOperatorsSchema,
  MetadataJsonPathSchema,
  MetadataPaginationSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataSelectFieldSchema,
  MetadataSortFieldSchema,
  MetadataSortOrderSchema,
  MetadataSortSchema,
} from './query.js';
export type {
  MetadataCustomFilterCondition,
  MetadataCustomFilterConditionInput,
  MetadataEnvelopeField,
  MetadataFilterOperator,
  MetadataFilterOperators,
  MetadataFilterOperatorsInput,
  MetadataJsonPath,
  MetadataPagination,
  MetadataPaginationInput,
  MetadataQueryFilters,
  MetadataQueryFiltersInput,
  MetadataQueryOptions,
  MetadataQueryOptionsInput,
  MetadataSort,
  MetadataSortInput,
  MetadataSortOrder,
} from './query.js';

export {
  MetadataBulkBatchSchema,
  MetadataBulkOperationSchema,
  MetadataBulkOperationTypeSchema,
  MetadataColumnMappingSchema,
  MetadataDriverConfigSchema,
  MetadataDriverMigrationConfigSchema,
  MetadataDriverPerformanceConfigSchema,
  MetadataDriverQueryConfigSchema,
  MetadataDriverTransactionConfigSchema,
  MetadataIndexSchema,
  MetadataIndexTypeSchema,
  MetadataMigrationOperationSchema,
  MetadataMigrationTypeSchema,
  MetadataRecordRefSchema,
  MetadataTableSchemaSchema,
} from './driver.js';
export type {
  MetadataBulkBatch,
  MetadataBulkOperation,
  MetadataBulkOperationInput,
  MetadataBulkOperationType,
  MetadataColumnMapping,
  MetadataDriverConfig,
  MetadataDriverConfigInput,
  MetadataIndex,
  MetadataIndexInput,
  MetadataIndexType,
  MetadataMigrationOperation,
  MetadataMigrationOperationInput,
  MetadataMigrationType,
  MetadataRecordRef,
  MetadataTableSchema,
  MetadataTableSchemaInput,
} from './driver.js';

export {
  MetadataCacheConfigSchema,
  MetadataCollectionInfoSchema,
  MetadataConflictStrategySchema,
  MetadataDatasourceConfigSchema,
  MetadataDatasourceQueryOptionsSchema,
  MetadataExportFormatSchema,
  MetadataExportOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataImportStrategySchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataLoaderCapabilitiesSchema,
  MetadataLoaderContractSchema,
  MetadataLoaderProtocolSchema,
  MetadataManagerCacheConfigSchema,
  MetadataManagerConfigSchema,
  MetadataSaveOptionsSchema,
  MetadataSaveResultSchema,
  MetadataSaveTransactionSchema,
  MetadataWatchEventSchema,
  MetadataWatchEventTypeSchema,
} from './loader.js';
export type {
  MetadataCacheConfig,
  MetadataCollectionInfo,
  MetadataConflictStrategy,
  MetadataDatasourceConfig,
  MetadataDatasourceConfigInput,
  MetadataDatasourceQueryOptions,
  MetadataExportFormat,
  MetadataExportOptions,
  MetadataExportOptionsInput,
  MetadataImportOptions,
  MetadataImportOptionsInput,
  MetadataImportStrategy,
  MetadataLoadOptions,
  MetadataLoadOptionsInput,
  MetadataLoadResult,
  MetadataLoadResultInput,
  MetadataLoaderCapabilities,
  MetadataLoaderContract,
  MetadataLoaderContractInput,
  MetadataLoaderProtocol,
  MetadataManagerCacheConfig,
  MetadataManagerConfig,
  MetadataManagerConfigInput,
  MetadataSaveOptions,
  MetadataSaveOptionsInput,
  MetadataSaveResult,
  MetadataSaveTransaction,
  MetadataWatchEvent,
  MetadataWatchEventType,
} from './loader.js';

export { describeIssues, ROOT_PATH } from './issues.js';
export type { ProtocolIssue } from './issues.js';
