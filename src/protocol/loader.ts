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
  /** Keep loaded records in memory (default true). */
  enabled: z.boolean().default(true),
  /** How long a cached record is kept, in seconds (default 3600). */
  ttlSeconds: z.number().default(3600),
  /** A write drops the cached record at once (default true); false lets it ride out its TTL. */
  invalidateOnWrite: z.boolean().default(true),
});

/** Query defaults a loader contract gives its datasource. */
export const MetadataDatasourceQueryOptionsSchema = z.object({
  /** The driver's performance.batchSize: records per append statement and per bulk batch (default 100). */
  batchSize: z.number().default(100),
  /** The driver's query.useIndexes: false makes its queries scan the table (default true). */
  useIndexes: z.boolean().default(true),
  /** The driver's performance.parallelLoad: `driver.loadTypes` lists its types concurrently (default false). */
  parallelLoad: z.boolean().default(false),
});

/** Where a `database:` loader keeps its items: a datasource (by name), table and schema. */
export const MetadataDatasourceConfigSchema = z.object({
  /** The name of the datasource (database connection) the loader reads. */
  datasource: z.string(),
  /** The projection table's name (default `_framework_metadata`). */
  table: z.string().default('_framework_metadata'),
  /** The PostgreSQL schema holding the store's tables; default the store's. */
  schema: z.string().optional(),
  /** Create or upgrade the store's tables when it opens (default true). */
  autoMigrate: z.boolean().default(true),
  /** The store's record cache; default the driver's (performance.enableCache, cacheTtlSeconds). */
  cache: MetadataCacheConfigSchema.optional(),
  /** Batch size, index use and parallel loading of the loader's driver. */
  queryOptions: MetadataDatasourceQueryOptionsSchema.optional(),
});

/* ------------------------------------------------------ loader contract */

/** What a loader can do: read, write, list, watch. */
export const MetadataLoaderCapabilitiesSchema = z.object({
  /** The loader loads items (default true); false refuses `load`. */
  read: z.boolean().default(true),
  /** The loader saves and deletes items (default false); false refuses `save` and `delete`. */
  write: z.boolean().default(false),
  /** The loader reports changes (default false); false refuses `watch`. */
  watch: z.boolean().default(false),
  /** The loader lists the items of a type (default true); false refuses `list`. */
  list: z.boolean().default(true),
});

/**
 * A loader's identity and capabilities. `protocol` is a plain string ('file:', 'http:', 's3:',
 * 'database:', …). `capabilities` may be left out (all defaults), which the reference refuses.
 */
export const MetadataLoaderContractSchema = z.object({
  /** The loader's name: the `loader` option of load and save picks loaders by it. */
  name: z.string(),
  /** What the loader reads: 'file:', 'http:', 's3:', 'database:', …. */
  protocol: z.string(),
  /** What the loader is for, in words. */
  description: z.string().optional(),
  /** The formats the loader reads and writes, e.g. `json`, `yaml`. */
  supportedFormats: z.array(z.string()).optional(),
  /** Says whether the loader watches; metaledger refuses a value that contradicts capabilities.watch. */
  supportsWatch: z.boolean().optional(),
  /** Says whether the loader writes; metaledger refuses a value that contradicts capabilities.write. */
  supportsWrite: z.boolean().optional(),
  /** false: a database loader reads around the store's cache, and createMetadataService's file loader caches nothing. */
  supportsCache: z.boolean().optional(),
  /** What the loader can do; default read and list only. */
  capabilities: MetadataLoaderCapabilitiesSchema.default({}),
  /** Where a `database:` loader keeps its items: datasource, table, schema, cache, query options. */
  datasourceConfig: MetadataDatasourceConfigSchema.optional(),
});

/* ---------------------------------------------------------------- load */

/** The protocol's load options: scope, namespace, cache, etag, filters and sort, loader and datasource, file options. */
export const MetadataLoadOptionsSchema = z.object({
  /** Only an item of this scope: another one is not found. */
  scope: MetadataScopeSchema.optional(),
  /** Only an item in this namespace: another one is not found. */
  namespace: z.string().optional(),
  /** `service.get` only: the item as stored, without its overlays (default false). Loaders always return items as stored. */
  raw: z.boolean().optional(),
  /** false reads around the cache (default true). */
  cache: z.boolean().optional(),
  /** The reference's alias of `cache`. */
  useCache: z.boolean().optional(),
  /** File loader only: false reads the file without validating it, and not from the cache (default true). */
  validate: z.boolean().optional(),
  /** An etag: when the item still has it, the load answers `notModified` and no data. `service.get` ignores it. */
  ifNoneMatch: z.string().optional(),
  /** Refused: the file loader refuses true (items sit directly in their type folder), the database store and other loaders refuse it. */
  recursive: z.boolean().optional(),
  /** At most this many items in a list; `store.load` (one item) refuses it. */
  limit: z.number().optional(),
  /** File loader only: globs the item's file name must match (`*.yaml`, `lead_*`); the database store and the database and HTTP loaders refuse it. */
  patterns: z.array(z.string()).optional(),
  /** In a service, only the loader of this name; a loader refuses another loader's name, and the database store refuses it. */
  loader: z.string().optional(),
  /** In a service, only the loaders of this datasource; a loader refuses another datasource, and the database store refuses it. */
  datasource: z.string().optional(),
  /** Query filters, as MetadataQueryFilters spells them: only matching items are found. `store.load` refuses them (use `driver.load`). */
  filters: z.record(z.string(), z.unknown()).optional(),
  /** The order of a list (then by name); `store.load` refuses it. */
  sort: MetadataSortSchema.optional(),
});

/** What a load answers: the record (or null), where it came from, from cache or not, its etag, how long it took. */
export const MetadataLoadResultSchema = z.object({
  /** The record; null when the item is absent, hidden by the options, or not modified. */
  data: z.unknown(),
  /** Size, time, hash and etag of the item's content. */
  stats: MetadataStatsSchema.optional(),
  /** The format of the item's file. */
  format: MetadataFormatSchema.optional(),
  /** File path or URL the item came from. */
  source: z.string().optional(),
  /** The record came from the cache. */
  fromCache: z.boolean().optional(),
  /** The item's etag, for a later `ifNoneMatch` or conditional save. */
  etag: z.string().optional(),
  /** The item still has the etag given as `ifNoneMatch`: `data` is null. */
  notModified: z.boolean().optional(),
  /** Milliseconds. */
  loadTime: z.number().optional(),
});

/* ---------------------------------------------------------------- save */

/** What a save does when the item exists: error, skip, merge (update) or replace. */
export const MetadataConflictStrategySchema = z.enum(['error', 'skip', 'update', 'replace']);

/** A transaction is used only when `enabled`, which defaults to false (as in the protocol). */
export const MetadataSaveTransactionSchema = z.object({
  /** Database store: true writes at the store's isolation level, false (default) as one statement at read committed. The file loader refuses true. */
  enabled: z.boolean().default(false),
  /** Database store: this save's isolation level, even with `enabled` left out. The file loader refuses it. */
  isolationLevel: MetadataIsolationLevelSchema.optional(),
});

/** The protocol's save options: create, overwrite, onConflict, transaction, loader and datasource, file options. */
export const MetadataSaveOptionsSchema = z.object({
  /** File loader only: the format of the item's file (default the existing file's, else the loader's); the database store and HTTP loader refuse it. */
  format: MetadataFormatSchema.optional(),
  /** false: a save of an item that does not exist fails with NOT_FOUND (default true). The HTTP loader refuses false. */
  create: z.boolean().default(true),
  /** false: a save of an item that exists fails with CONFLICT, unless onConflict is `skip` (default true). The HTTP loader refuses false. */
  overwrite: z.boolean().default(true),
  /** Refused: the database store finds items by type and name, the file loader keeps each at `<type>/<name>.<ext>`. */
  path: z.string().optional(),
  /** File loader only: false writes compact text, JSON on one line and YAML in flow style (default true); the database store and HTTP loader refuse it. */
  prettify: z.boolean().optional(),
  /** File loader only: spaces per level (default 2); the database store and HTTP loader refuse it. */
  indent: z.number().optional(),
  /** File loader only: write keys in alphabetical order (default: the envelope's order); the database store and HTTP loader refuse it. */
  sortKeys: z.boolean().optional(),
  /** File loader only: keep the previous content as `<file>.bak` (default false); the database store (whose history keeps every version) and HTTP loader refuse it. */
  backup: z.boolean().optional(),
  /** Every save is atomic: false is refused, true changes nothing. */
  atomic: z.boolean().optional(),
  /** In a service, the loader to save to; a loader refuses another loader's name, and the database store refuses it. */
  loader: z.string().optional(),
  /** A loader refuses another datasource than its own; the database store refuses it. */
  datasource: z.string().optional(),
  /** Database store only: the transaction of this save. The file loader refuses `enabled: true` and an isolation level, the HTTP loader any. */
  transaction: MetadataSaveTransactionSchema.optional(),
  /** When the item exists: `error` fails with CONFLICT, `skip` leaves it, `update` (default) keeps the envelope fields not given, `replace` takes the record as given. */
  onConflict: MetadataConflictStrategySchema.default('update'),
});

/** What a save answers: success, the item's name and type, its stats and time. */
export const MetadataSaveResultSchema = z.object({
  /** The save went through (or was skipped as asked). */
  success: z.boolean(),
  /** The file written (file loader). */
  path: z.string().optional(),
  /** Size, time, hash and etag of the saved content. */
  stats: MetadataStatsSchema.optional(),
  /** The item's etag after the save. */
  etag: z.string().optional(),
  /** Bytes written. */
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
  /** What happened: `added`, `changed` or `deleted` (a file watcher's `add`, `change`, `unlink`). */
  type: MetadataWatchEventTypeSchema,
  /** The item's file, or `<type>/<name>` in a database. */
  path: z.string(),
  /** The item's name. */
  name: z.string().optional(),
  /** Size, time, hash and etag of the item's content. */
  stats: MetadataStatsSchema.optional(),
  /** The item's metadata type. */
  metadataType: z.string().optional(),
  /** The item after the change; absent when it was deleted. */
  data: z.unknown().optional(),
  /** When the change was seen or made. */
  timestamp: IsoDateTimeSchema.optional(),
});

/** Per type: how many items, in which namespaces. */
export const MetadataCollectionInfoSchema = z.object({
  /** The metadata type. */
  type: z.string(),
  /** How many live items it has. */
  count: z.number(),
  /** The namespaces those items are in. */
  namespaces: z.array(z.string()),
});

/* ------------------------------------------------------- export / import */

/** The protocol's export options: output, format, types, namespaces. */
export const MetadataExportOptionsSchema = z.object({
  /** Only items of these types; default all. */
  types: z.array(z.string()).optional(),
  /** Only items in these namespaces; default all. */
  namespaces: z.array(z.string()).optional(),
  /** The file (bundle) or directory (one file per item) to write; the format follows its extension. */
  output: z.string(),
  /** The format to write (default json). */
  format: MetadataFormatSchema.default('json'),
});

/** How an import treats items that exist: merge, replace or skip. */
export const MetadataImportStrategySchema = z.enum(['merge', 'replace', 'skip']);

/** The protocol's import options: source, strategy, validation. */
export const MetadataImportOptionsSchema = z.object({
  /** A bundle file, or a directory of record files. */
  source: z.string(),
  /** Items that exist: merged with the imported record (default), replaced by it, or skipped. */
  strategy: MetadataImportStrategySchema.default('merge'),
  /** Any invalid item stops the import before anything is written (default); false leaves invalid items out. */
  validate: z.boolean().default(true),
});

/* ------------------------------------------------------ manager config */

/** How a metadata manager is set up: its loaders, caching, watching, where files live and in which formats. */
export const MetadataManagerConfigSchema = z.object({
  /** Loader contracts; the protocol leaves their shape open (a protocol may be left to be inferred). */
  loaders: z.array(z.unknown()).optional(),
  /** Refresh loaded items when they change; `createMetadataService` refuses true (it reads through its loaders on every call). */
  watch: z.boolean().optional(),
  /** false: every read goes to the files and the database, around every cache (default true). */
  cache: z.boolean().optional(),
  /** The system files directory, relative to `rootDir`. */
  basePath: z.string().optional(),
  /** The directory `basePath` is relative to; default the working directory. */
  rootDir: z.string().optional(),
  /** The file formats read and written; metaledger refuses all but json, yaml and yml. */
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
