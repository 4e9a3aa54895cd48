import { z } from 'zod';
import { DatasourceNameSchema } from '../datasource.js';
import { SqlIdentifierSchema } from '../identifier.js';
import { oneOrMany } from '../internal.js';
import {
  MetadataConflictStrategySchema,
  MetadataImportStrategySchema,
  MetadataLoaderCapabilitiesSchema,
  MetadataLoadOptionsSchema,
  MetadataSaveOptionsSchema,
} from '../loader.js';
import { MetadataFormatSchema } from '../record.js';
import { MetadataIsolationLevelSchema } from '../transaction.js';
import { StrictMetadataQueryFiltersSchema, StrictMetadataSortSchema } from './query.js';
import { MetadataNamespaceSchema } from './record.js';

/*
 * Metaledger's strict layer for loaders, load / save and export / import: what each operation checks
 * before it acts, on top of the protocol's schemas. Names that reach SQL are SQL identifiers,
 * datasource references are datasource names, numbers are whole and in range, filters are checked as
 * the driver's query filters, and metaledger's own options (audit trail, expected version) are added.
 */

/** The loader protocols metaledger implements or knows of. */
export const MetadataLoaderProtocolSchema = z.enum(['file:', 'http:', 's3:', 'database:']);

/** The formats metaledger reads and writes: JSON and YAML (`yml` is YAML under its short name). */
export const METALEDGER_FORMATS = ['json', 'yaml', 'yml'] as const;

/** A protocol format metaledger can read and write; TypeScript / JavaScript modules are refused with the reason. */
export const StrictMetadataFormatSchema = MetadataFormatSchema.superRefine((format, ctx) => {
  if (!(METALEDGER_FORMATS as readonly string[]).includes(format))
    ctx.addIssue({
      code: 'custom',
      message: `metaledger reads and writes json, yaml and yml, not ${format} (code is not loaded as metadata)`,
    });
});

/* ---------------------------------------------------- datasource config */

/** MetadataCacheConfigSchema with ranges checked. */
export const StrictMetadataCacheConfigSchema = z.object({
  /** Keep loaded records in memory (default true). */
  enabled: z.boolean().default(true),
  /** How long a cached record is kept, in whole seconds (default 3600). */
  ttlSeconds: z.number().int().min(0).default(3600),
  /** A write drops the cached record at once (default true); false lets it ride out its TTL. */
  invalidateOnWrite: z.boolean().default(true),
});

/** MetadataDatasourceQueryOptionsSchema with ranges checked. */
export const StrictMetadataDatasourceQueryOptionsSchema = z.object({
  /** The driver's performance.batchSize, 1 to 10000: records per append statement and per bulk batch (default 100). */
  batchSize: z.number().int().min(1).max(10000).default(100),
  /** The driver's query.useIndexes: false makes its queries scan the table (default true). */
  useIndexes: z.boolean().default(true),
  /** The driver's performance.parallelLoad: `driver.loadTypes` lists its types concurrently (default false). */
  parallelLoad: z.boolean().default(false),
});

/** A loader's datasource settings as metaledger checks them. */
export const StrictMetadataDatasourceConfigSchema = z.object({
  /** The name of the datasource (database connection) the loader reads. */
  datasource: DatasourceNameSchema,
  /** The projection table's name, a SQL identifier (default `_framework_metadata`). */
  table: SqlIdentifierSchema.default('_framework_metadata'),
  /** The PostgreSQL schema holding the store's tables; default the store's (public). */
  schema: SqlIdentifierSchema.optional(),
  /** Create or upgrade the store's tables when it opens (default true). */
  autoMigrate: z.boolean().default(true),
  /** The store's record cache; default the driver's (performance.enableCache, cacheTtlSeconds). A database loader over an open store must match it. */
  cache: StrictMetadataCacheConfigSchema.optional(),
  /** Batch size, index use and parallel loading of the loader's driver. */
  queryOptions: StrictMetadataDatasourceQueryOptionsSchema.optional(),
});

/* ------------------------------------------------------ loader contract */

const SUPPORTS_FLAGS = { supportsWatch: 'watch', supportsWrite: 'write' } as const;

/** A loader contract as metaledger's loaders take it: a known protocol, and supports* flags that agree with the capabilities. */
export const StrictMetadataLoaderContractSchema = z
  .object({
    /** The loader's name, not empty: the `loader` option of load and save picks loaders by it. */
    name: z.string().min(1, { message: 'loader name must not be empty' }),
    /** What the loader reads: 'file:', 'http:', 's3:' or 'database:'. */
    protocol: MetadataLoaderProtocolSchema,
    /** What the loader is for, in words. */
    description: z.string().optional(),
    /** The formats the loader reads and writes, e.g. `json`, `yaml`. */
    supportedFormats: z.array(MetadataFormatSchema).optional(),
    /** Says whether the loader watches; a value that contradicts capabilities.watch is refused. */
    supportsWatch: z.boolean().optional(),
    /** Says whether the loader writes; a value that contradicts capabilities.write is refused. */
    supportsWrite: z.boolean().optional(),
    /** false: a database loader reads around the store's cache, and createMetadataService's file loader caches nothing. */
    supportsCache: z.boolean().optional(),
    /** What the loader can do; default read and list only. */
    capabilities: MetadataLoaderCapabilitiesSchema.default({}),
    /** Where a `database:` loader keeps its items: datasource, table, schema, cache, query options. */
    datasourceConfig: StrictMetadataDatasourceConfigSchema.optional(),
  })
  .superRefine((contract, ctx) => {
    for (const [flag, capability] of Object.entries(SUPPORTS_FLAGS) as [keyof typeof SUPPORTS_FLAGS, 'watch' | 'write'][]) {
      const value = contract[flag];
      if (value !== undefined && value !== contract.capabilities[capability])
        ctx.addIssue({
          code: 'custom',
          path: [flag],
          message: `${value} contradicts capabilities.${capability}: ${contract.capabilities[capability]}`,
        });
    }
  });

/* ---------------------------------------------------------------- load */

/**
 * Load options as metaledger's loaders take them: filters are checked as query filters, `sort` may also
 * be a list, `limit` is a positive whole number. Options that do not apply to a loader are refused by
 * that loader.
 */
export const StrictMetadataLoadOptionsSchema = MetadataLoadOptionsSchema.extend({
  /** Only an item in this namespace (1 to 255 characters): another one is not found. */
  namespace: MetadataNamespaceSchema.optional(),
  /** An etag: when the item still has it, the load answers `notModified` and no data. `service.get` refuses it (compare the etag it answers). */
  ifNoneMatch: z.string().min(1).optional(),
  /** At most this many items in a list (a positive whole number); `store.load` (one item) refuses it. */
  limit: z.number().int().positive().optional(),
  /** File loader only: globs the item's file name must match (`*.yaml`, `lead_*`); the database store and the database and HTTP loaders refuse it. */
  patterns: z.array(z.string().min(1)).optional(),
  /** In a service, only the loader of this name; a loader refuses another loader's name, and the database store refuses it. */
  loader: z.string().min(1).optional(),
  /** In a service, only the loaders of this datasource; a loader refuses another datasource, and the database store refuses it. */
  datasource: DatasourceNameSchema.optional(),
  /** Query filters: only matching items are found (checked like the driver's). `store.load` refuses them (use `driver.load`). */
  filters: StrictMetadataQueryFiltersSchema.optional(),
  // A single object is kept as given (not wrapped in an array).
  /** The order of a list: one sort key or several (then by name); `store.load` refuses it. */
  sort: oneOrMany(StrictMetadataSortSchema, { nonEmpty: false, what: 'sort' }).optional(),
});

/* ---------------------------------------------------------------- save */

/**
 * Save options as metaledger's loaders take them, with metaledger's own: who and why (the audit trail)
 * and the version the caller expects (optimistic concurrency). An isolation level given is used even
 * when `transaction.enabled` is left out (it then defaults to false, as in the protocol).
 */
export const StrictMetadataSaveOptionsSchema = MetadataSaveOptionsSchema.extend({
  /** File loader only: json, yaml or yml for the item's file (default the existing file's, else the loader's); the database store and HTTP loader refuse it. */
  format: StrictMetadataFormatSchema.optional(),
  /** Refused: the database store finds items by type and name, the file loader keeps each at `<type>/<name>.<ext>`. */
  path: z.string().min(1).optional(),
  /** File loader only: spaces per level, 0 to 10 (default 2; 0 only with `format: 'json'`); the database store and HTTP loader refuse it. */
  indent: z.number().int().min(0).max(10).optional(),
  /** In a service, the loader to save to; a loader refuses another loader's name, and the database store refuses it. */
  loader: z.string().min(1).optional(),
  /** A loader refuses another datasource than its own; the database store refuses it. */
  datasource: DatasourceNameSchema.optional(),
  // `enabled` defaults to false as in the protocol, but only after the check: an isolation level with an
  // explicit enabled: false is a contradiction, one with enabled left out is what the caller asks for
  /** Database store only: the transaction of this save. The file loader refuses `enabled: true` and an isolation level, the HTTP loader any. */
  transaction: z
    .object({
      /** Database store: true writes at the store's isolation level, false (default) as one statement at read committed. The file loader refuses true. */
      enabled: z.boolean().optional(),
      /** Database store: this save's isolation level, also with `enabled` left out (not with false). The file loader refuses it. */
      isolationLevel: MetadataIsolationLevelSchema.optional(),
    })
    .refine((transaction) => !(transaction.enabled === false && transaction.isolationLevel), {
      path: ['isolationLevel'],
      message: 'an isolation level needs a transaction: enabled is false',
    })
    .transform(({ enabled = false, isolationLevel }) => ({ enabled, ...(isolationLevel ? { isolationLevel } : {}) }))
    .optional(),
  /** When the item exists: `error` fails with CONFLICT, `skip` leaves it, `update` (default) keeps the envelope fields not given, `replace` takes the record as given. */
  onConflict: MetadataConflictStrategySchema.default('update'),
  /** Records are always validated before they are written: false is refused where it cannot apply. */
  validate: z.boolean().optional(),
  /** Who makes the change (1 to 255 characters), recorded on its changeset; the file and HTTP loaders keep no audit trail. */
  actor: z.string().min(1).max(255).optional(),
  /** Why, in words, recorded on the change's changeset; the file and HTTP loaders keep no audit trail. */
  reason: z.string().optional(),
  /** Ties the change to a request or job elsewhere (1 to 255 characters), recorded on its changeset; the file and HTTP loaders keep no audit trail. */
  correlationId: z.string().min(1).max(255).optional(),
  /** Database store only: the save fails with CONFLICT unless the item is at this version (0: it must not exist). The HTTP loader refuses it. */
  expectedVersion: z.number().int().min(0).optional(),
});

/* ------------------------------------------------------- export / import */

/** MetadataExportOptionsSchema as `exportMetadata` checks it. */
export const StrictMetadataExportOptionsSchema = z.object({
  /** The file (bundle) or directory (one file per item) to write; the format follows its extension. */
  output: z.string().min(1, { message: 'output must not be empty' }),
  /** json or yaml. */
  format: StrictMetadataFormatSchema.default('json'),
  /** Only items of these types. */
  types: z.array(z.string().min(1)).optional(),
  /** Only items in these namespaces. */
  namespaces: z.array(z.string().min(1)).optional(),
  /** metaledger's: each item's events beside it. Default false. */
  includeHistory: z.boolean().optional(),
});

/** MetadataImportOptionsSchema as `importMetadata` checks it. */
export const StrictMetadataImportOptionsSchema = z.object({
  /** A bundle file, or a directory of record files. */
  source: z.string().min(1, { message: 'source must not be empty' }),
  /** Items that exist: merged with the imported record (default), replaced by it, or skipped. */
  strategy: MetadataImportStrategySchema.default('merge'),
  /** Any invalid item stops the import before anything is written (default); false leaves invalid items out. */
  validate: z.boolean().default(true),
  /** metaledger's: report what each item would become, write nothing. Default false. */
  dryRun: z.boolean().optional(),
});

export type MetadataLoaderProtocol = z.infer<typeof MetadataLoaderProtocolSchema>;
export type StrictMetadataDatasourceConfig = z.infer<typeof StrictMetadataDatasourceConfigSchema>;
export type StrictMetadataLoaderContract = z.infer<typeof StrictMetadataLoaderContractSchema>;
export type StrictMetadataLoadOptions = z.infer<typeof StrictMetadataLoadOptionsSchema>;
export type StrictMetadataLoadOptionsInput = z.input<typeof StrictMetadataLoadOptionsSchema>;
export type StrictMetadataSaveOptions = z.infer<typeof StrictMetadataSaveOptionsSchema>;
export type StrictMetadataSaveOptionsInput = z.input<typeof StrictMetadataSaveOptionsSchema>;
export type StrictMetadataExportOptions = z.infer<typeof StrictMetadataExportOptionsSchema>;
export type StrictMetadataExportOptionsInput = z.input<typeof StrictMetadataExportOptionsSchema>;
export type StrictMetadataImportOptions = z.infer<typeof StrictMetadataImportOptionsSchema>;
export type StrictMetadataImportOptionsInput = z.input<typeof StrictMetadataImportOptionsSchema>;
