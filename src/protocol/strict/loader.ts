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
  enabled: z.boolean().default(true),
  ttlSeconds: z.number().int().min(0).default(3600),
  invalidateOnWrite: z.boolean().default(true),
});

/** MetadataDatasourceQueryOptionsSchema with ranges checked. */
export const StrictMetadataDatasourceQueryOptionsSchema = z.object({
  batchSize: z.number().int().min(1).max(10000).default(100),
  useIndexes: z.boolean().default(true),
  parallelLoad: z.boolean().default(false),
});

/** A loader's datasource settings as metaledger checks them. */
export const StrictMetadataDatasourceConfigSchema = z.object({
  datasource: DatasourceNameSchema,
  table: SqlIdentifierSchema.default('_framework_metadata'),
  /** Default: the store's (public). */
  schema: SqlIdentifierSchema.optional(),
  autoMigrate: z.boolean().default(true),
  cache: StrictMetadataCacheConfigSchema.optional(),
  queryOptions: StrictMetadataDatasourceQueryOptionsSchema.optional(),
});

/* ------------------------------------------------------ loader contract */

const SUPPORTS_FLAGS = { supportsWatch: 'watch', supportsWrite: 'write' } as const;

/** A loader contract as metaledger's loaders take it: a known protocol, and supports* flags that agree with the capabilities. */
export const StrictMetadataLoaderContractSchema = z
  .object({
    name: z.string().min(1, { message: 'loader name must not be empty' }),
    protocol: MetadataLoaderProtocolSchema,
    description: z.string().optional(),
    supportedFormats: z.array(MetadataFormatSchema).optional(),
    supportsWatch: z.boolean().optional(),
    supportsWrite: z.boolean().optional(),
    supportsCache: z.boolean().optional(),
    capabilities: MetadataLoaderCapabilitiesSchema.default({}),
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
  namespace: MetadataNamespaceSchema.optional(),
  ifNoneMatch: z.string().min(1).optional(),
  limit: z.number().int().positive().optional(),
  patterns: z.array(z.string().min(1)).optional(),
  loader: z.string().min(1).optional(),
  datasource: DatasourceNameSchema.optional(),
  filters: StrictMetadataQueryFiltersSchema.optional(),
  // A single object is kept as given (not wrapped in an array).
  sort: oneOrMany(StrictMetadataSortSchema, { nonEmpty: false, what: 'sort' }).optional(),
});

/* ---------------------------------------------------------------- save */

/**
 * Save options as metaledger's loaders take them, with metaledger's own: who and why (the audit trail)
 * and the version the caller expects (optimistic concurrency). An isolation level given is used even
 * when `transaction.enabled` is left out (it then defaults to false, as in the protocol).
 */
export const StrictMetadataSaveOptionsSchema = MetadataSaveOptionsSchema.extend({
  format: StrictMetadataFormatSchema.optional(),
  path: z.string().min(1).optional(),
  indent: z.number().int().min(0).max(10).optional(),
  loader: z.string().min(1).optional(),
  datasource: DatasourceNameSchema.optional(),
  // `enabled` defaults to false as in the protocol, but only after the check: an isolation level with an
  // explicit enabled: false is a contradiction, one with enabled left out is what the caller asks for
  transaction: z
    .object({ enabled: z.boolean().optional(), isolationLevel: MetadataIsolationLevelSchema.optional() })
    .refine((transaction) => !(transaction.enabled === false && transaction.isolationLevel), {
      path: ['isolationLevel'],
      message: 'an isolation level needs a transaction: enabled is false',
    })
    .transform(({ enabled = false, isolationLevel }) => ({ enabled, ...(isolationLevel ? { isolationLevel } : {}) }))
    .optional(),
  onConflict: MetadataConflictStrategySchema.default('update'),
  /** Records are always validated before they are written: false is refused where it cannot apply. */
  validate: z.boolean().optional(),
  actor: z.string().min(1).max(255).optional(),
  reason: z.string().optional(),
  correlationId: z.string().min(1).max(255).optional(),
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
