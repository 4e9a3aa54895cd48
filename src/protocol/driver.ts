import { z } from 'zod';
import { DatasourceNameSchema } from './datasource.js';
import { SqlIdentifierSchema } from './identifier.js';
import { MetadataRecordNameSchema, MetadataRecordSchema, MetadataTypeNameSchema } from './record.js';
import { MetadataIsolationLevelSchema } from './transaction.js';

/* ----------------------------------------------------------- table schema */

export const MetadataIndexTypeSchema = z.enum(['btree', 'hash', 'gin', 'gist']);

export const MetadataIndexSchema = z.object({
  name: SqlIdentifierSchema,
  fields: z.array(SqlIdentifierSchema).min(1, { message: 'an index needs at least one field' }),
  unique: z.boolean().default(false),
  type: MetadataIndexTypeSchema.default('btree'),
});

/** Logical record field -> physical column name; every key optional, unknown keys rejected. */
export const MetadataColumnMappingSchema = z
  .object({
    id: SqlIdentifierSchema.optional(),
    name: SqlIdentifierSchema.optional(),
    type: SqlIdentifierSchema.optional(),
    namespace: SqlIdentifierSchema.optional(),
    scope: SqlIdentifierSchema.optional(),
    metadata: SqlIdentifierSchema.optional(),
    extends: SqlIdentifierSchema.optional(),
    strategy: SqlIdentifierSchema.optional(),
    owner: SqlIdentifierSchema.optional(),
    state: SqlIdentifierSchema.optional(),
    createdBy: SqlIdentifierSchema.optional(),
    createdAt: SqlIdentifierSchema.optional(),
    updatedBy: SqlIdentifierSchema.optional(),
    updatedAt: SqlIdentifierSchema.optional(),
  })
  .strict();

export const MetadataTableSchemaSchema = z.object({
  name: SqlIdentifierSchema.default('_framework_metadata'),
  schema: SqlIdentifierSchema.default('public'),
  primaryKey: SqlIdentifierSchema.default('id'),
  // Two indexes with one name would make CREATE INDEX fail half-way, so duplicates are refused up front.
  indexes: z
    .array(MetadataIndexSchema)
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
  columnMapping: MetadataColumnMappingSchema.default({}),
});

/* ---------------------------------------------------------- driver config */

export const MetadataDriverMigrationConfigSchema = z.object({
  autoMigrate: z.boolean().default(true),
  dropOnMigrate: z.boolean().default(false),
  backupBeforeMigrate: z.boolean().default(true),
});

export const MetadataDriverPerformanceConfigSchema = z.object({
  batchSize: z.number().int().min(1).max(10000).default(100),
  enableCache: z.boolean().default(true),
  cacheTtlSeconds: z.number().int().min(0).default(3600),
  prefetchOnInit: z.boolean().default(false),
  parallelLoad: z.boolean().default(false),
});

export const MetadataDriverTransactionConfigSchema = z.object({
  defaultIsolation: MetadataIsolationLevelSchema.default('read_committed'),
  /** Milliseconds. */
  timeout: z.number().int().positive().default(30000),
  retryOnConflict: z.boolean().default(true),
  maxRetries: z.number().int().min(0).max(100).default(3),
});

export const MetadataDriverQueryConfigSchema = z.object({
  useIndexes: z.boolean().default(true),
  maxResultSize: z.number().int().positive().default(10000),
  enablePagination: z.boolean().default(true),
  defaultPageSize: z.number().int().min(1).max(1000).default(100),
});

export const MetadataDriverConfigSchema = z.object({
  datasource: DatasourceNameSchema,
  tableSchema: MetadataTableSchemaSchema.default({}),
  migration: MetadataDriverMigrationConfigSchema.default({}),
  performance: MetadataDriverPerformanceConfigSchema.default({}),
  transaction: MetadataDriverTransactionConfigSchema.default({}),
  query: MetadataDriverQueryConfigSchema.default({}),
});

/* --------------------------------------------------------- bulk operation */

export const MetadataBulkOperationTypeSchema = z.enum(['create', 'update', 'delete', 'upsert']);

/** What a delete needs to find a record: its type and name (id optional). */
export const MetadataRecordRefSchema = z.object({
  id: z.string().min(1).max(255).optional(),
  type: MetadataTypeNameSchema,
  name: MetadataRecordNameSchema,
});

export const MetadataBulkBatchSchema = z.object({
  size: z.number().int().min(1).max(10000).default(100),
  parallel: z.boolean().default(false),
  continueOnError: z.boolean().default(false),
});

const bulkCommon = {
  batch: MetadataBulkBatchSchema.default({}),
  transactional: z.boolean().default(true),
};

const EMPTY_RECORDS = { message: 'records must contain at least one record' };

/** Discriminated on `operation`: 'delete' takes record references, the others full records. */
export const MetadataBulkOperationSchema = z.discriminatedUnion('operation', [
  z.object({
    operation: z.enum(['create', 'update', 'upsert']),
    records: z.array(MetadataRecordSchema).min(1, EMPTY_RECORDS),
    ...bulkCommon,
  }),
  z.object({
    operation: z.literal('delete'),
    records: z.array(MetadataRecordRefSchema).min(1, EMPTY_RECORDS),
    ...bulkCommon,
  }),
]);

/* ---------------------------------------------------- migration operation */

export const MetadataMigrationTypeSchema = z.enum(['create', 'alter', 'drop', 'backup', 'restore']);

export const MetadataMigrationOperationSchema = z
  .object({
    type: MetadataMigrationTypeSchema,
    table: SqlIdentifierSchema.default('_framework_metadata'),
    schema: SqlIdentifierSchema.optional(),
    script: z.string().min(1).optional(),
    rollbackScript: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
    backupName: SqlIdentifierSchema.optional(),
  })
  .superRefine((operation, ctx) => {
    if (operation.type === 'alter' && !operation.script?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['script'], message: "script is required for 'alter' migrations" });
    }
  });

export type MetadataIndexType = z.infer<typeof MetadataIndexTypeSchema>;
export type MetadataIndex = z.infer<typeof MetadataIndexSchema>;
export type MetadataIndexInput = z.input<typeof MetadataIndexSchema>;
export type MetadataColumnMapping = z.infer<typeof MetadataColumnMappingSchema>;
export type MetadataTableSchema = z.infer<typeof MetadataTableSchemaSchema>;
export type MetadataTableSchemaInput = z.input<typeof MetadataTableSchemaSchema>;
export type MetadataDriverConfig = z.infer<typeof MetadataDriverConfigSchema>;
export type MetadataDriverConfigInput = z.input<typeof MetadataDriverConfigSchema>;
export type MetadataBulkOperationType = z.infer<typeof MetadataBulkOperationTypeSchema>;
export type MetadataRecordRef = z.infer<typeof MetadataRecordRefSchema>;
export type MetadataBulkBatch = z.infer<typeof MetadataBulkBatchSchema>;
export type MetadataBulkOperation = z.infer<typeof MetadataBulkOperationSchema>;
export type MetadataBulkOperationInput = z.input<typeof MetadataBulkOperationSchema>;
export type MetadataMigrationType = z.infer<typeof MetadataMigrationTypeSchema>;
export type MetadataMigrationOperation = z.infer<typeof MetadataMigrationOperationSchema>;
export type MetadataMigrationOperationInput = z.input<typeof MetadataMigrationOperationSchema>;
