import { z } from 'zod';
import { MetadataIsolationLevelSchema } from './transaction.js';

/*
 * The Metadata Driver's configuration and operations, as the protocol defines them (parsed like the
 * reference: sections left out stay absent, names are plain strings). What the driver checks before it
 * uses them — SQL identifiers, ranges, records — lives in the strict layer (`strict/driver.ts`); the
 * defaults of sections left out are the driver's (`src/driver/driver-config.ts`).
 */

/* ----------------------------------------------------------- table schema */

/** PostgreSQL index methods a table-schema index may use. */
export const MetadataIndexTypeSchema = z.enum(['btree', 'hash', 'gin', 'gist']);

/** An index of the projection table: name, fields, unique, method. */
export const MetadataIndexSchema = z.object({
  name: z.string(),
  fields: z.array(z.string()),
  unique: z.boolean().default(false),
  type: MetadataIndexTypeSchema.optional(),
});

/** Logical record field → physical column; a mapping given is completed with the default column names. */
export const MetadataColumnMappingSchema = z.object({
  id: z.string().default('id'),
  name: z.string().default('name'),
  type: z.string().default('type'),
  namespace: z.string().default('namespace'),
  scope: z.string().default('scope'),
  metadata: z.string().default('metadata'),
  extends: z.string().default('extends'),
  strategy: z.string().default('strategy'),
  owner: z.string().default('owner'),
  state: z.string().default('state'),
  createdBy: z.string().default('created_by'),
  createdAt: z.string().default('created_at'),
  updatedBy: z.string().default('updated_by'),
  updatedAt: z.string().default('updated_at'),
});

/** The projection table's shape: name, schema, primary key, indexes and column mapping. */
export const MetadataTableSchemaSchema = z.object({
  name: z.string().default('_framework_metadata'),
  schema: z.string().optional(),
  primaryKey: z.string().default('id'),
  indexes: z.array(MetadataIndexSchema).optional(),
  columnMapping: MetadataColumnMappingSchema.optional(),
});

/* ---------------------------------------------------------- driver config */

/** Whether the driver migrates on open, drops on migrate, and backs up first. */
export const MetadataDriverMigrationConfigSchema = z.object({
  autoMigrate: z.boolean().default(true),
  dropOnMigrate: z.boolean().default(false),
  backupBeforeMigrate: z.boolean().default(true),
});

/** Batch size, the record cache and its TTL, prefetching on open, parallel loading. */
export const MetadataDriverPerformanceConfigSchema = z.object({
  batchSize: z.number().default(100),
  enableCache: z.boolean().default(true),
  cacheTtlSeconds: z.number().default(3600),
  /** Defaults to true inside a given `performance` section, as in the protocol. */
  prefetchOnInit: z.boolean().default(true),
  parallelLoad: z.boolean().default(false),
});

/** Transactions of writes: default isolation, timeout, retries on conflict. */
export const MetadataDriverTransactionConfigSchema = z.object({
  defaultIsolation: MetadataIsolationLevelSchema.default('read_committed'),
  /** Milliseconds. */
  timeout: z.number().default(30000),
  retryOnConflict: z.boolean().default(true),
  maxRetries: z.number().default(3),
});

/** Query settings: indexes, pagination, default page size, largest result. */
export const MetadataDriverQueryConfigSchema = z.object({
  useIndexes: z.boolean().default(true),
  maxResultSize: z.number().optional(),
  enablePagination: z.boolean().default(true),
  defaultPageSize: z.number().default(100),
});

/** The protocol's MetadataDriverConfig: table schema, migration, performance, transactions, queries. */
export const MetadataDriverConfigSchema = z.object({
  datasource: z.string(),
  tableSchema: MetadataTableSchemaSchema.optional(),
  migration: MetadataDriverMigrationConfigSchema.optional(),
  performance: MetadataDriverPerformanceConfigSchema.optional(),
  transaction: MetadataDriverTransactionConfigSchema.optional(),
  query: MetadataDriverQueryConfigSchema.optional(),
});

/* --------------------------------------------------------- bulk operation */

/** What a bulk operation does to its records. */
export const MetadataBulkOperationTypeSchema = z.enum(['create', 'update', 'delete', 'upsert']);

/** A bulk operation: the operation, its records, and whether it stops at the first error. */
export const MetadataBulkBatchSchema = z.object({
  size: z.number().default(100),
  parallel: z.boolean().default(false),
  continueOnError: z.boolean().default(false),
});

/** Records are kept as given (the driver checks each one); an empty list is a no-op. */
export const MetadataBulkOperationSchema = z.object({
  operation: MetadataBulkOperationTypeSchema,
  records: z.array(z.unknown()),
  batch: MetadataBulkBatchSchema.optional(),
  transactional: z.boolean().default(true),
});

/* ---------------------------------------------------- migration operation */

/** What a migration operation does to the projection table. */
export const MetadataMigrationTypeSchema = z.enum(['create', 'alter', 'drop', 'backup', 'restore']);

/** An `alter` without a script parses; the driver refuses to run it. */
export const MetadataMigrationOperationSchema = z.object({
  type: MetadataMigrationTypeSchema,
  table: z.string(),
  script: z.string().optional(),
  rollbackScript: z.string().optional(),
  dryRun: z.boolean().default(false),
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
export type MetadataBulkBatch = z.infer<typeof MetadataBulkBatchSchema>;
export type MetadataBulkOperation = z.infer<typeof MetadataBulkOperationSchema>;
export type MetadataBulkOperationInput = z.input<typeof MetadataBulkOperationSchema>;
export type MetadataMigrationType = z.infer<typeof MetadataMigrationTypeSchema>;
export type MetadataMigrationOperation = z.infer<typeof MetadataMigrationOperationSchema>;
export type MetadataMigrationOperationInput = z.input<typeof MetadataMigrationOperationSchema>;
