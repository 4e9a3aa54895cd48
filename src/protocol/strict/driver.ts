import { z } from 'zod';
import {
  MetadataBulkOperationTypeSchema,
  MetadataColumnMappingSchema,
  MetadataDriverMigrationConfigSchema,
  MetadataIndexTypeSchema,
  MetadataMigrationTypeSchema,
} from '../driver.js';
import { SqlIdentifierSchema } from '../identifier.js';
import { MetadataIsolationLevelSchema } from '../transaction.js';
import { StrictMetadataRecordRefSchema, StrictMetadataRecordSchema } from './record.js';

/*
 * Metaledger's strict layer for the driver: what the driver checks before it uses a configuration or
 * runs an operation, on top of the protocol's schemas. Every name that reaches SQL must be a plain SQL
 * identifier, numbers must be whole and in range, records must be records. A section left out gets the
 * driver's defaults; inside a section the protocol's defaults apply unchanged (so a `performance`
 * section given without `prefetchOnInit` prefetches, as in the protocol).
 */

/* ----------------------------------------------------------- table schema */

/** MetadataIndexSchema as the driver checks it: SQL identifiers, known fields. */
export const StrictMetadataIndexSchema = z.object({
  name: SqlIdentifierSchema,
  fields: z.array(SqlIdentifierSchema).min(1, { message: 'an index needs at least one field' }),
  unique: z.boolean().default(false),
  type: MetadataIndexTypeSchema.default('btree'),
});

const mappedFields = Object.keys(MetadataColumnMappingSchema.shape) as (keyof typeof MetadataColumnMappingSchema.shape)[];

/** Logical record field → column: every key optional (the default column otherwise), unknown keys refused. */
export const StrictMetadataColumnMappingSchema = z
  .object(
    Object.fromEntries(mappedFields.map((field) => [field, SqlIdentifierSchema.optional()])) as Record<
      (typeof mappedFields)[number],
      z.ZodOptional<typeof SqlIdentifierSchema>
    >,
  )
  .strict();

/** MetadataTableSchemaSchema as the driver checks it: SQL identifiers, column mapping, indexes. */
export const StrictMetadataTableSchemaSchema = z.object({
  name: SqlIdentifierSchema.default('_framework_metadata'),
  /** Default: the store's schema. */
  schema: SqlIdentifierSchema.optional(),
  primaryKey: SqlIdentifierSchema.default('id'),
  // Two indexes with one name would make CREATE INDEX fail half-way, so duplicates are refused up front.
  indexes: z
    .array(StrictMetadataIndexSchema)
    .superRefine((indexes, ctx) => {
      const seen = new Set<string>();
      indexes.forEach((index, i) => {
        if (seen.has(index.name)) {
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate index name '${index.name}'` });
        }
        seen.add(index.name);
      });
    })
    .default([]),
  columnMapping: StrictMetadataColumnMappingSchema.default({}),
});

/* ---------------------------------------------------------- driver config */

/** MetadataDriverPerformanceConfigSchema with ranges checked. */
export const StrictMetadataDriverPerformanceConfigSchema = z.object({
  batchSize: z.number().int().min(1).max(10000).default(100),
  enableCache: z.boolean().default(true),
  cacheTtlSeconds: z.number().int().min(0).default(3600),
  prefetchOnInit: z.boolean().default(true),
  parallelLoad: z.boolean().default(false),
});

/** MetadataDriverTransactionConfigSchema with ranges checked. */
export const StrictMetadataDriverTransactionConfigSchema = z.object({
  defaultIsolation: MetadataIsolationLevelSchema.default('read_committed'),
  /** Milliseconds. */
  timeout: z.number().int().positive().default(30000),
  retryOnConflict: z.boolean().default(true),
  maxRetries: z.number().int().min(0).max(100).default(3),
});

/** MetadataDriverQueryConfigSchema with ranges checked. */
export const StrictMetadataDriverQueryConfigSchema = z.object({
  useIndexes: z.boolean().default(true),
  /** The driver's default is 10000 (the protocol leaves it unset). */
  maxResultSize: z.number().int().positive().default(10000),
  enablePagination: z.boolean().default(true),
  defaultPageSize: z.number().int().min(1).max(1000).default(100),
});

/** MetadataDriverConfig as `createMetadataStore({ driver })` accepts it: every section checked, unknown keys refused. */
export const StrictMetadataDriverConfigSchema = z.object({
  datasource: z.string().default('default'),
  tableSchema: StrictMetadataTableSchemaSchema.default({}),
  migration: MetadataDriverMigrationConfigSchema.default({}),
  // Left out, the driver does not prefetch: a store opened without a word about it loads nothing up front.
  performance: StrictMetadataDriverPerformanceConfigSchema.default({ prefetchOnInit: false }),
  transaction: StrictMetadataDriverTransactionConfigSchema.default({}),
  query: StrictMetadataDriverQueryConfigSchema.default({}),
});

/* --------------------------------------------------------- bulk operation */

/** MetadataBulkBatchSchema as the driver checks it: canonical keys, JSON-only records. */
export const StrictMetadataBulkBatchSchema = z.object({
  size: z.number().int().min(1).max(10000).default(100),
  parallel: z.boolean().default(false),
  continueOnError: z.boolean().default(false),
});

const bulkCommon = {
  batch: StrictMetadataBulkBatchSchema.default({}),
  transactional: z.boolean().default(true),
};

/** Discriminated on `operation`: 'delete' takes record references, the others full records; an empty list is a no-op. */
export const StrictMetadataBulkOperationSchema = z.discriminatedUnion('operation', [
  z.object({
    operation: MetadataBulkOperationTypeSchema.exclude(['delete']),
    records: z.array(StrictMetadataRecordSchema),
    ...bulkCommon,
  }),
  z.object({
    operation: z.literal('delete'),
    records: z.array(StrictMetadataRecordRefSchema),
    ...bulkCommon,
  }),
]);

/* ---------------------------------------------------- migration operation */

/**
 * The protocol's migration operation as the driver runs it: the table is a SQL identifier, an `alter`
 * needs a script, and metaledger adds `schema` (where the table lives) and `backupName` (which backup a
 * backup / restore / drop means).
 */
export const StrictMetadataMigrationOperationSchema = z
  .object({
    type: MetadataMigrationTypeSchema,
    table: SqlIdentifierSchema,
    schema: SqlIdentifierSchema.optional(),
    script: z.string().optional(),
    rollbackScript: z.string().optional(),
    dryRun: z.boolean().default(false),
    backupName: SqlIdentifierSchema.optional(),
  })
  .superRefine((operation, ctx) => {
    if (operation.type === 'alter' && !operation.script?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['script'], message: "an 'alter' migration needs a script: it has nothing else to run" });
    }
    for (const field of ['script', 'rollbackScript'] as const) {
      if (operation[field] !== undefined && operation.type !== 'alter' && !operation[field]!.trim())
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} is empty` });
    }
  });

export type StrictMetadataIndex = z.infer<typeof StrictMetadataIndexSchema>;
export type StrictMetadataTableSchema = z.infer<typeof StrictMetadataTableSchemaSchema>;
export type StrictMetadataDriverConfig = z.infer<typeof StrictMetadataDriverConfigSchema>;
export type StrictMetadataDriverConfigInput = z.input<typeof StrictMetadataDriverConfigSchema>;
export type StrictMetadataBulkOperation = z.infer<typeof StrictMetadataBulkOperationSchema>;
export type StrictMetadataBulkOperationInput = z.input<typeof StrictMetadataBulkOperationSchema>;
export type StrictMetadataMigrationOperation = z.infer<typeof StrictMetadataMigrationOperationSchema>;
export type StrictMetadataMigrationOperationInput = z.input<typeof StrictMetadataMigrationOperationSchema>;
