import { z } from 'zod';
import { DatasourceNameSchema } from './datasource.js';
import { SqlIdentifierSchema } from './identifier.js';
import { oneOrMany } from './internal.js';
import { MetadataQueryFiltersSchema, MetadataSortSchema } from './query.js';
import { IsoDateTimeSchema, MetadataFormatSchema, MetadataNamespaceSchema, MetadataScopeSchema, MetadataStatsSchema } from './record.js';
import { MetadataIsolationLevelSchema } from './transaction.js';

/* ---------------------------------------------------- datasource config */

export const MetadataCacheConfigSchema = z.object({
  enabled: z.boolean().default(true),
  ttlSeconds: z.number().int().min(0).default(3600),
  invalidateOnWrite: z.boolean().default(true),
});

export const MetadataDatasourceQueryOptionsSchema = z.object({
  batchSize: z.number().int().min(1).max(10000).default(100),
  useIndexes: z.boolean().default(true),
  parallelLoad: z.boolean().default(false),
});

export const MetadataDatasourceConfigSchema = z.object({
  datasource: DatasourceNameSchema,
  table: SqlIdentifierSchema.default('_framework_metadata'),
  schema: SqlIdentifierSchema.default('public'),
  autoMigrate: z.boolean().default(true),
  cache: MetadataCacheConfigSchema.default({}),
  queryOptions: MetadataDatasourceQueryOptionsSchema.default({}),
});

/* ------------------------------------------------------ loader contract */

export const MetadataLoaderProtocolSchema = z.enum(['file:', 'http:', 's3:', 'database:']);

export const MetadataLoaderCapabilitiesSchema = z.object({
  read: z.boolean().default(true),
  write: z.boolean().default(false),
  watch: z.boolean().default(false),
  list: z.boolean().default(true),
});

export const MetadataLoaderContractSchema = z.object({
  name: z.string().min(1, { message: 'loader name must not be empty' }),
  protocol: MetadataLoaderProtocolSchema,
  capabilities: MetadataLoaderCapabilitiesSchema.default({}),
  datasourceConfig: MetadataDatasourceConfigSchema.optional(),
  description: z.string().optional(),
});

/* ---------------------------------------------------------------- load */

export const MetadataLoadOptionsSchema = z.object({
  scope: MetadataScopeSchema.optional(),
  namespace: MetadataNamespaceSchema.optional(),
  raw: z.boolean().optional(),
  cache: z.boolean().default(true),
  useCache: z.boolean().optional(),
  validate: z.boolean().optional(),
  ifNoneMatch: z.string().min(1).optional(),
  recursive: z.boolean().optional(),
  limit: z.number().int().positive().optional(),
  patterns: z.array(z.string().min(1)).optional(),
  loader: z.string().min(1).optional(),
  datasource: DatasourceNameSchema.optional(),
  filters: MetadataQueryFiltersSchema.optional(),
  // Same field rules as MetadataQueryOptions.sort; a single object is kept as given (not wrapped in an array).
  sort: oneOrMany(MetadataSortSchema, { nonEmpty: false, what: 'sort' }).optional(),
});

// `data` is z.unknown(), which already admits null (nothing found) and undefined.
export const MetadataLoadResultSchema = z.object({
  data: z.unknown(),
  fromCache: z.boolean().default(false),
  notModified: z.boolean().default(false),
  etag: z.string().optional(),
  stats: MetadataStatsSchema.optional(),
  /** Milliseconds. */
  loadTime: z.number().min(0).optional(),
});

/* ---------------------------------------------------------------- save */

export const MetadataConflictStrategySchema = z.enum(['error', 'skip', 'update', 'replace']);

export const MetadataSaveTransactionSchema = z.object({
  enabled: z.boolean().default(true),
  isolationLevel: MetadataIsolationLevelSchema.optional(),
});

export const MetadataSaveOptionsSchema = z.object({
  format: MetadataFormatSchema.optional(),
  create: z.boolean().default(true),
  overwrite: z.boolean().default(true),
  path: z.string().min(1).optional(),
  loader: z.string().min(1).optional(),
  datasource: DatasourceNameSchema.optional(),
  validate: z.boolean().default(true),
  onConflict: MetadataConflictStrategySchema.default('update'),
  transaction: MetadataSaveTransactionSchema.optional(),
  // metaledger additions: audit trail and optimistic concurrency.
  actor: z.string().min(1).max(255).optional(),
  reason: z.string().optional(),
  correlationId: z.string().min(1).max(255).optional(),
  expectedVersion: z.number().int().min(0).optional(),
});

export const MetadataSaveResultSchema = z.object({
  success: z.boolean(),
  path: z.string().optional(),
  size: z.number().int().min(0).optional(),
  /** Milliseconds. */
  saveTime: z.number().min(0).optional(),
  etag: z.string().optional(),
  version: z.number().int().min(0).optional(),
  created: z.boolean().optional(),
  skipped: z.boolean().optional(),
});

/* --------------------------------------------------------------- watch */

export const MetadataWatchEventTypeSchema = z.enum(['added', 'changed', 'deleted']);

export const MetadataWatchEventSchema = z.object({
  type: MetadataWatchEventTypeSchema,
  metadataType: z.string().min(1),
  name: z.string().min(1),
  path: z.string().optional(),
  data: z.unknown().optional(),
  timestamp: IsoDateTimeSchema,
  /** Opaque cursor: pass it back to resume the watch after this event. */
  position: z.string().min(1).optional(),
});

export const MetadataCollectionInfoSchema = z.object({
  type: z.string().min(1),
  count: z.number().int().min(0),
  namespaces: z.array(z.string()),
});

/* ------------------------------------------------------- export / import */

export const MetadataExportFormatSchema = z.enum(['json', 'yaml']);

export const MetadataExportOptionsSchema = z.object({
  output: z.string().min(1, { message: 'output must not be empty' }),
  format: MetadataExportFormatSchema.default('json'),
  types: z.array(z.string().min(1)).optional(),
  namespaces: z.array(z.string().min(1)).optional(),
  includeHistory: z.boolean().default(false),
});

export const MetadataImportStrategySchema = z.enum(['merge', 'replace', 'skip']);

export const MetadataImportOptionsSchema = z.object({
  source: z.string().min(1, { message: 'source must not be empty' }),
  strategy: MetadataImportStrategySchema.default('merge'),
  validate: z.boolean().default(true),
  dryRun: z.boolean().default(false),
});

/* ------------------------------------------------------ manager config */

export const MetadataManagerCacheConfigSchema = z.object({
  enabled: z.boolean().default(true),
  ttlSeconds: z.number().int().min(0).default(3600),
});

export const MetadataManagerConfigSchema = z.object({
  // Load / save options pick a loader by name, so two loaders with one name would be ambiguous.
  loaders: z
    .array(MetadataLoaderContractSchema)
    .superRefine((loaders, ctx) => {
      const seen = new Set<string>();
      loaders.forEach((loader, i) => {
        if (seen.has(loader.name)) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate loader name '${loader.name}'` });
        }
        seen.add(loader.name);
      });
    })
    .default([]),
  cache: MetadataManagerCacheConfigSchema.default({}),
  watch: z.boolean().default(false),
  datasource: DatasourceNameSchema.optional(),
});

export type MetadataCacheConfig = z.infer<typeof MetadataCacheConfigSchema>;
export type MetadataDatasourceQueryOptions = z.infer<typeof MetadataDatasourceQueryOptionsSchema>;
export type MetadataDatasourceConfig = z.infer<typeof MetadataDatasourceConfigSchema>;
export type MetadataDatasourceConfigInput = z.input<typeof MetadataDatasourceConfigSchema>;
export type MetadataLoaderProtocol = z.infer<typeof MetadataLoaderProtocolSchema>;
export type MetadataLoaderCapabilities = z.infer<typeof MetadataLoaderCapabilitiesSchema>;
export type MetadataLoaderContract = z.infer<typeof MetadataLoaderContractSchema>;
export type MetadataLoaderContractInput = z.input<typeof MetadataLoaderContractSchema>;
export type MetadataLoadOptions = z.infer<typeof MetadataLoadOptionsSchema>;
export type MetadataLoadOptionsInput = z.input<typeof MetadataLoadOptionsSchema>;
export type MetadataLoadResult = z.infer<typeof MetadataLoadResultSchema>;
export type MetadataLoadResultInput = z.input<typeof MetadataLoadResultSchema>;
export type MetadataConflictStrategy = z.infer<typeof MetadataConflictStrategySchema>;
export type MetadataSaveTransaction = z.infer<typeof MetadataSaveTransactionSchema>;
export type MetadataSaveOptions = z.infer<typeof MetadataSaveOptionsSchema>;
export type MetadataSaveOptionsInput = z.input<typeof MetadataSaveOptionsSchema>;
export type MetadataSaveResult = z.infer<typeof MetadataSaveResultSchema>;
export type MetadataWatchEventType = z.infer<typeof MetadataWatchEventTypeSchema>;
export type MetadataWatchEvent = z.infer<typeof MetadataWatchEventSchema>;
export type MetadataCollectionInfo = z.infer<typeof MetadataCollectionInfoSchema>;
export type MetadataExportFormat = z.infer<typeof MetadataExportFormatSchema>;
export type MetadataExportOptions = z.infer<typeof MetadataExportOptionsSchema>;
export type MetadataExportOptionsInput = z.input<typeof MetadataExportOptionsSchema>;
export type MetadataImportStrategy = z.infer<typeof MetadataImportStrategySchema>;
export type MetadataImportOptions = z.infer<typeof MetadataImportOptionsSchema>;
export type MetadataImportOptionsInput = z.input<typeof MetadataImportOptionsSchema>;
export type MetadataManagerCacheConfig = z.infer<typeof MetadataManagerCacheConfigSchema>;
export type MetadataManagerConfig = z.infer<typeof MetadataManagerConfigSchema>;
export type MetadataManagerConfigInput = z.input<typeof MetadataManagerConfigSchema>;
