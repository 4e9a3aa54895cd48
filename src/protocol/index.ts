/**
 * Metadata Datasource Protocol: zod schemas and inferred types. The protocol-named schemas parse like
 * the reference implementation's; the `Strict…` schemas (and the name / type / namespace schemas) are
 * metaledger's strict layer, what its operations check on top. Every export is listed by name so the
 * public surface stays deliberate.
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
  DatasourcePoolFieldsSchema,
  DatasourcePoolSchema,
  DatasourceSchema,
  DatasourceSslOptionsSchema,
  SslModeSchema,
} from './datasource.js';
export { StrictDatasourceSchema } from './strict/datasource.js';
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
  MetadataPayloadSchema,
  MetadataRecordSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  MetadataStatsSchema,
  MetadataStrategySchema,
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
  MetadataPaginationSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataSortOrderSchema,
  MetadataSortSchema,
} from './query.js';
export type {
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
  MetadataTableSchema,
  MetadataTableSchemaInput,
} from './driver.js';

export {
  MetadataCacheConfigSchema,
  MetadataCollectionInfoSchema,
  MetadataConflictStrategySchema,
  MetadataDatasourceConfigSchema,
  MetadataDatasourceQueryOptionsSchema,
  MetadataExportOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataImportStrategySchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataLoaderCapabilitiesSchema,
  MetadataLoaderContractSchema,
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
  MetadataManagerConfig,
  MetadataManagerConfigInput,
  MetadataSaveOptions,
  MetadataSaveOptionsInput,
  MetadataSaveResult,
  MetadataSaveTransaction,
  MetadataWatchEvent,
  MetadataWatchEventType,
} from './loader.js';

// metaledger's strict layer: what its operations check on top of the protocol (docs/protocol-compatibility.md)
export {
  MetadataNamespaceSchema,
  MetadataRecordNameSchema,
  MetadataTypeNameSchema,
  StrictMetadataRecordRefSchema,
  StrictMetadataRecordSchema,
} from './strict/record.js';
export type { StrictMetadataRecord, StrictMetadataRecordInput, StrictMetadataRecordRef } from './strict/record.js';

export {
  METADATA_ENVELOPE_FIELDS,
  METADATA_FILTER_OPERATORS,
  METADATA_JSON_PATH_PATTERN,
  MetadataCustomFilterConditionSchema,
  MetadataFilterOperatorsSchema,
  MetadataJsonPathSchema,
  MetadataSelectFieldSchema,
  MetadataSortFieldSchema,
  StrictMetadataPaginationSchema,
  StrictMetadataQueryFiltersSchema,
  StrictMetadataQueryOptionsSchema,
  StrictMetadataSortSchema,
} from './strict/query.js';
export type {
  MetadataCustomFilterCondition,
  MetadataCustomFilterConditionInput,
  MetadataEnvelopeField,
  MetadataFilterOperator,
  MetadataFilterOperators,
  MetadataFilterOperatorsInput,
  MetadataJsonPath,
  StrictMetadataQueryFilters,
  StrictMetadataQueryOptions,
  StrictMetadataQueryOptionsInput,
  StrictMetadataSort,
} from './strict/query.js';

export {
  StrictMetadataBulkBatchSchema,
  StrictMetadataBulkOperationSchema,
  StrictMetadataColumnMappingSchema,
  StrictMetadataDriverConfigSchema,
  StrictMetadataDriverPerformanceConfigSchema,
  StrictMetadataDriverQueryConfigSchema,
  StrictMetadataDriverTransactionConfigSchema,
  StrictMetadataIndexSchema,
  StrictMetadataMigrationOperationSchema,
  StrictMetadataTableSchemaSchema,
} from './strict/driver.js';
export type {
  StrictMetadataBulkOperation,
  StrictMetadataBulkOperationInput,
  StrictMetadataDriverConfig,
  StrictMetadataDriverConfigInput,
  StrictMetadataIndex,
  StrictMetadataMigrationOperation,
  StrictMetadataMigrationOperationInput,
  StrictMetadataTableSchema,
} from './strict/driver.js';

export {
  METALEDGER_FORMATS,
  MetadataLoaderProtocolSchema,
  StrictMetadataCacheConfigSchema,
  StrictMetadataDatasourceConfigSchema,
  StrictMetadataDatasourceQueryOptionsSchema,
  StrictMetadataExportOptionsSchema,
  StrictMetadataFormatSchema,
  StrictMetadataImportOptionsSchema,
  StrictMetadataLoadOptionsSchema,
  StrictMetadataLoaderContractSchema,
  StrictMetadataSaveOptionsSchema,
} from './strict/loader.js';
export type {
  MetadataLoaderProtocol,
  StrictMetadataDatasourceConfig,
  StrictMetadataExportOptions,
  StrictMetadataExportOptionsInput,
  StrictMetadataImportOptions,
  StrictMetadataImportOptionsInput,
  StrictMetadataLoadOptions,
  StrictMetadataLoadOptionsInput,
  StrictMetadataLoaderContract,
  StrictMetadataSaveOptions,
  StrictMetadataSaveOptionsInput,
} from './strict/loader.js';

export { describeIssues, ROOT_PATH } from './issues.js';
export type { ProtocolIssue } from './issues.js';
