// The one public barrel: everything a user of metaledger imports comes from here.
export * from './protocol/index.js';
export { MetaledgerError, ValidationError, ConflictError, NotFoundError, DatasourceUnavailableError, isMetaledgerError } from './errors.js';
export type { ErrorCode, ValidationIssue, WriteOutcome } from './errors.js';
export { createMetadataStore } from './store/create-store.js';
export type { CreateMetadataStoreOptions } from './store/create-store.js';
export { DataDirectoryLockedError } from './datasource/pglite-lock.js';
export type { LockHolder } from './datasource/pglite-lock.js';
export { ConfigFileSchema } from './config.js';
export type { ConfigFile } from './config.js';
export { defaultInputLimits } from './input/input-limits.js';
export type { InputLimits } from './input/input-limits.js';
export { MetadataStore } from './store/metadata-store.js';
export type { SaveOptions, SaveResult, LoadResult, WriteContext, IdempotentWrite, Isolation } from './store/metadata-store.js';
export type { ConnectionTimeouts } from './datasource/timeouts.js';
export type { StoredRecord, ListFilters } from './store/read-records.js';
export type { ItemDocument, EventKind } from './events/document.js';
export { migrate } from './migrate/migrator.js';
export type { Moment } from './history/moment.js';
export type { ItemAt } from './history/get-at.js';
export type { AuditEvent, HistoryOptions, HistoryPage } from './history/item-history.js';
export type { ChangesOptions, ChangesPage } from './history/changes.js';
export type { DiffSide, ItemDiff } from './history/diff.js';
export type { BlameLine } from './history/blame.js';
export type { RollbackResult } from './history/rollback.js';
export type { RestoreOptions, RestorePlan, RestoreStep, PlannedRestoreChange } from './history/restore.js';
export type { RevertOptions } from './change/revert/revert-options.js';
export type { RevertResult } from './change/revert/revert-changeset.js';
export type { RevertAction, RevertConflict, RevertItemPlan, PlannedRevertItem, ConflictResolution } from './change/revert/plan-revert.js';
export { RevertConflictError } from './change/revert/revert-conflict-error.js';
export type { SnapshotAtOptions } from './history/snapshot-at.js';
export type { ItemState } from './history/states-at.js';
export type { VerifyOptions, VerifyReport, IntegrityProblem, IntegrityProblemKind } from './history/verify.js';
export type { Anchor } from './history/anchor.js';
export type { PruneOptions, PruneResult } from './history/prune.js';
export { TagExistsError, type Tag, type TagOptions } from './change/releases/tags.js';
export type { MomentOrTag, TagMoment } from './change/releases/tag-moment.js';
export type { DiffStoreOptions, ItemChange, ItemChangeKind, StoreDiff } from './change/releases/diff-store.js';
export { promote, PromotionConflictError, type PromoteOptions, type PromotionResult } from './service/promotion/promote.js';
export type { OnPromotionConflict, PromotionAction, PromotionStep } from './change/releases/plan-promotion.js';
export { collectionInfoProjection } from '../projections/collection-info.js';
export { actorActivityProjection } from '../projections/actor-activity.js';
export { frameworkMetadataProjection } from '../projections/framework-metadata.js';
export type { ProjectionDefinition, ProjectedEvent, ProjectionMode } from './projections/projection.js';
export type { ProjectionSettings, ProjectionStatus } from './projections/projection-runner.js';
export type { JobsOptions, RetentionSchedule } from './projections/jobs.js';
export type { RebuildOptions, RebuildProgress, RebuildResult } from './projections/rebuild.js';
export type { WatchEvent, WatchOptions } from './projections/change-feed.js';
export type { WatchHandle } from './projections/watcher.js';
export { DatabaseLoader } from './loaders/database/database-loader.js';
export { openDatabaseLoader } from './loaders/database/open-database-loader.js';
export { FileLoader } from './loaders/file/file-loader.js';
export type { FileFormat, FileLoaderOptions, ScannedItem } from './loaders/file/file-loader.js';
export { HttpLoader } from './loaders/http/http-loader.js';
export type { HttpLoaderOptions } from './loaders/http/http-loader.js';
export type {
  MetadataLoader,
  LoaderLoadResult,
  LoaderSaveOptions,
  LoaderSaveResult,
  LoaderDeleteOptions,
  ExpectedEtag,
  WatchOptions as LoaderWatchOptions,
  WatchHandle as LoaderWatchHandle,
  WatchHandler as LoaderWatchHandler,
  LoaderWatchEvent,
  LoaderRecord,
} from './loaders/loader.js';
export type { ItemStats } from './loaders/content-stats.js';
export { terminalProgress, silentProgress } from './loaders/progress.js';
export type { ProgressReporter } from './loaders/progress.js';
export type { FileIssue, RecordFormat } from './loaders/record-file.js';
export { MetadataService } from './service/metadata-service.js';
export type {
  LoaderRoute,
  MetadataServiceOptions,
  CallOptions,
  GetOptions,
  ListOptions,
  RegisterOptions,
  UnregisterOptions,
  ServiceRecord,
} from './service/metadata-service.js';
export { createMetadataService } from './service/create-service.js';
export type { HybridServiceOptions } from './service/create-service.js';
export { anonymous, operatorPrincipal, parsePrincipal } from './service/principal.js';
export type { Principal } from './service/principal.js';
export { refusalReason, ForbiddenError } from './service/access-policy.js';
export type { Operation as AccessOperation, ProtectedItem, AccessFlags } from './service/access-policy.js';
export { databaseRefusalLog } from './service/refusal-log.js';
export type { AccessRefusal, RecordedRefusal, RefusalLog, RefusalQuery } from './service/refusal-log.js';
export type { OverlayLayer } from './service/resolve-overlays.js';
export { mergePatch } from './service/merge-patch.js';
export { exportMetadata } from './service/export/export-metadata.js';
export type { ExportOptions, ExportReport } from './service/export/export-metadata.js';
export { importMetadata } from './service/import/import-metadata.js';
export type { ImportOptions, ImportReport } from './service/import/import-metadata.js';
export type { ImportChange, ImportAction } from './service/import/plan-import.js';
export { revertChangesetAs } from './service/revert-changeset-as.js';
export type { RevertAsOptions } from './service/revert-changeset-as.js';
export { createMetadataServer, listenMetadataServer } from './server/create-server.js';
export type { MetadataServer, MetadataServerOptions } from './server/create-server.js';
export { ServerConfigSchema, AuthConfigSchema, CorsConfigSchema, ApiKeyEntrySchema, JwtConfigSchema } from './server/server-config.js';
export type { ServerConfig, ServerConfigInput, AuthConfigInput, CorsConfigInput, ApiKeyEntry, JwtConfig } from './server/server-config.js';
export { resolveServerConfig } from './server/resolve-server-config.js';
export { generateApiKey, hashApiKey } from './server/auth/api-keys.js';
export type { ProblemBody } from './loaders/http/error-body.js';
export { MetadataDriver } from './driver/metadata-driver.js';
export { createMetadataDriver } from './driver/create-driver.js';
export { fromDatasourceConfig } from './driver/datasource-config.js';
export type { DriverConfigInput } from './driver/driver-config.js';
export { BulkOperationError } from './driver/bulk/bulk-result.js';
export type { BulkOperationResult, BulkRecordResult, BulkTotals, BulkAction, BulkErrorCode } from './driver/bulk/bulk-result.js';
export type { BulkContext } from './driver/bulk/run-bulk.js';
export type { QueryResult, QueriedRecord } from './driver/query/run-query.js';
export type { MigrationResult, MigrationContext } from './migrate/table/run-migration.js';
export type { MigrationRecord, MigrationOutcome } from './migrate/table/migration-log.js';
export { ReferencedError } from './errors.js';
export { TYPE_DEFINITION_TYPE } from './change/types/type-definition.js';
export type { TypeDefinitionInput, ReferenceDeclaration, Upcaster, StoredTypeDefinition } from './change/types/type-definition.js';
export type { TypeInfo } from './change/types/type-info.js';
export type { MigrateTypeResult } from './change/types/migrate-type.js';
