import { z } from 'zod';
import { IsoDateTimeSchema, MetadataFormatSchema, MetadataScopeSchema, MetadataStatsSchema } from './record.js';
import { MetadataSortSchema } from './query.js';
import { MetadataIsolationLevelSchema } from './transaction.js';

/*
 * Loaders, load / save, watch, export / import and the manager configuration, as the protocol defines
 * them (parsed like the reference). Each operation checks more before it acts — and refuses an option
 * that does not apply to it — in the strict layer (`strict/loader.ts`).
 */

/* ---------------------------------------------------- datasource config */

/** A loader's or driver's record cache: on or off, TTL, invalidation on write. */
export const MetadataCacheConfigSchema = z.object({
  enabled: z.boolean().default(true),
  ttlSeconds: z.number().default(3600),
  invalidateOnWrite: z.boolean().default(true),
});

/** Query defaults a loader contract gives its datasource. */
export const MetadataDatasourceQueryOptionsSchema = z.object({
  batchSize: z.number().default(100),
  useIndexes: z.boolean().default(true),
  parallelLoad: z.boolean().default(false),
});

/** Where a `database:` loader keeps its items: a datasource (by name), table and schema. */
export const MetadataDatasourceConfigSchema = z.object({
  datasource: z.string(),
  table: z.string().default('_framework_metadata'),
  schema: z.string().optional(),
  autoMigrate: z.boolean().default(true),
  cache: MetadataCacheConfigSchema.optional(),
  queryOptions: MetadataDatasourceQueryOptionsSchema.optional(),
});

/* ------------------------------------------------------ loader contract */

/** What a loader can do: read, write, list, watch. */
export const MetadataLoaderCapabilitiesSchema = z.object({
  read: z.boolean().default(true),
  write: z.boolean().default(false),
  watch: z.boolean().default(false),
  list: z.boolean().default(true),
});

/**
 * A loader's identity and capabilities. `protocol` is a plain string ('file:', 'http:', 's3:',
 * 'database:', …). `capabilities` may be left out (all defaults), which the reference refuses.
 */
export const MetadataLoaderContractSchema = z.object({
  name: z.string(),
  protocol: z.string(),
  description: z.string().optional(),
  supportedFormats: z.array(z.string()).optional(),
  supportsWatch: z.boolean().optional(),
  supportsWrite: z.boolean().optional(),
  supportsCache: z.boolean().optional(),
  capabilities: MetadataLoaderCapabilitiesSchema.default({}),
  datasourceConfig: MetadataDatasourceConfigSchema.optional(),
});

/* ---------------------------------------------------------------- load */

/** The protocol's load options: scope, namespace, cache, etag, filters and sort, loader and datasource, file options. */
export const MetadataLoadOptionsSchema = z.object({
  scope: MetadataScopeSchema.optional(),
  namespace: z.string().optional(),
  raw: z.boolean().optional(),
  cache: z.boolean().optional(),
  /** The reference's alias of `cache`. */
  useCache: z.boolean().optional(),
  validate: z.boolean().optional(),
  ifNoneMatch: z.string().optional(),
  recursive: z.boolean().optional(),
  limit: z.number().optional(),
  patterns: z.array(z.string()).optional(),
  loader: z.string().optional(),
  datasource: z.string().optional(),
  /** Query filters for database-backed loaders, as MetadataQueryFilters spells them. */
  filters: z.record(z.string(), z.unknown()).optional(),
  sort: MetadataSortSchema.optional(),
});

/** What a load answers: the record (or null), where it came from, from cache or not, its etag, how long it took. */
export const MetadataLoadResultSchema = z.object({
  data: z.unknown(),
  stats: MetadataStatsSchema.optional(),
  format: MetadataFormatSchema.optional(),
  /** File path or URL the item came from. */
  source: z.string().optional(),
  fromCache: z.boolean().optional(),
  etag: z.string().optional(),
  notModified: z.boolean().optional(),
  /** Milliseconds. */
  loadTime: z.number().optional(),
});

/* ---------------------------------------------------------------- save */

/** What a save does when the item exists: error, skip, merge (update) or replace. */
export const MetadataConflictStrategySchema = z.enum(['error', 'skip', 'update', 'replace']);

/** A transaction is used only when `enabled`, which defaults to false (as in the protocol). */
export const MetadataSaveTransactionSchema = z.object({
  enabled: z.boolean().default(false),
  isolationLevel: MetadataIsolationLevelSchema.optional(),
});

/** The protocol's save options: create, overwrite, onConflict, transaction, loader and datasource, file options. */
export const MetadataSaveOptionsSchema = z.object({
  format: MetadataFormatSchema.optional(),
  create: z.boolean().default(true),
  overwrite: z.boolean().default(true),
  path: z.string().optional(),
  prettify: z.boolean().optional(),
  indent: z.number().optional(),
  sortKeys: z.boolean().optional(),
  backup: z.boolean().optional(),
  atomic: z.boolean().optional(),
  loader: z.string().optional(),
  datasource: z.string().optional(),
  transaction: MetadataSaveTransactionSchema.optional(),
  onConflict: MetadataConflictStrategySchema.default('update'),
});

/** What a save answers: success, the item's name and type, its stats and time. */
export const MetadataSaveResultSchema = z.object({
  success: z.boolean(),
  path: z.string().optional(),
  stats: MetadataStatsSchema.optional(),
  etag: z.string().optional(),
  size: z.number().optional(),
  /** Milliseconds. */
  saveTime: z.number().optional(),
  /** Where the previous content was kept (save option `backup`). */
  backupPath: z.string().optional(),
});

/* --------------------------------------------------------------- watch */

/** The file watcher's names (add, change, unlink) and the item names (added, changed, deleted). */
export const MetadataWatchEventTypeSchema = z.enum(['add', 'change', 'unlink', 'added', 'changed', 'deleted']);

/** A change event: added, changed or deleted, with the item after it. */
export const MetadataWatchEventSchema = z.object({
  type: MetadataWatchEventTypeSchema,
  path: z.string(),
  name: z.string().optional(),
  stats: MetadataStatsSchema.optional(),
  metadataType: z.string().optional(),
  data: z.unknown().optional(),
  timestamp: IsoDateTimeSchema.optional(),
});

/** Per type: how many items, in which namespaces. */
export const MetadataCollectionInfoSchema = z.object({
  type: z.string(),
  count: z.number(),
  namespaces: z.array(z.string()),
});

/* ------------------------------------------------------- export / import */

/** The protocol's export options: output, format, types, namespaces. */
export const MetadataExportOptionsSchema = z.object({
  types: z.array(z.string()).optional(),
  namespaces: z.array(z.string()).optional(),
  output: z.string(),
  format: MetadataFormatSchema.default('json'),
});

/** How an import treats items that exist: merge, replace or skip. */
export const MetadataImportStrategySchema = z.enum(['merge', 'replace', 'skip']);

/** The protocol's import options: source, strategy, validation. */
export const MetadataImportOptionsSchema = z.object({
  source: z.string(),
  strategy: MetadataImportStrategySchema.default('merge'),
  validate: z.boolean().default(true),
});

/* ------------------------------------------------------ manager config */

/** How a metadata manager is set up: its loaders, caching, watching, where files live and in which formats. */
export const MetadataManagerConfigSchema = z.object({
  /** Loader contracts; the protocol leaves their shape open (a protocol may be left to be inferred). */
  loaders: z.array(z.unknown()).optional(),
  watch: z.boolean().optional(),
  cache: z.boolean().optional(),
  basePath: z.string().optional(),
  rootDir: z.string().optional(),
  formats: z.array(MetadataFormatSchema).optional(),
  /** Options for a file watcher (chokidar's, in the reference). */
  watchOptions: z.unknown().optional(),
});

export type MetadataCacheConfig = z.infer<typeof MetadataCacheConfigSchema>;
export type MetadataDatasourceQueryOptions = z.infer<typeof MetadataDatasourceQueryOptionsSchema>;
export type MetadataDatasourceConfig = z.infer<typeof MetadataDatasourceConfigSchema>;
export type MetadataDatasourceConfigInput = z.input<typeof MetadataDatasourceConfigSchema>;
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
export type MetadataExportOptions = z.infer<typeof MetadataExportOptionsSchema>;
export type MetadataExportOptionsInput = z.input<typeof MetadataExportOptionsSchema>;
export type MetadataImportStrategy = z.infer<typeof MetadataImportStrategySchema>;
export type MetadataImportOptions = z.infer<typeof MetadataImportOptionsSchema>;
export type MetadataImportOptionsInput = z.input<typeof MetadataImportOptionsSchema>;
export type MetadataManagerConfig = z.infer<typeof MetadataManagerConfigSchema>;
export type MetadataManagerConfigInput = z.input<typeof MetadataManagerConfigSchema>;
