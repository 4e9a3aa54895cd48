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
  /** The index's name; not one of the names of the table's own indexes. */
  name: z.string(),
  /** The record fields (or mapped columns) the index covers, in order. */
  fields: z.array(z.string()),
  /** A unique index (btree only). Default false. */
  unique: z.boolean().default(false),
  /** The index method: `btree` (the driver's default), `hash`, `gin` or `gist`. */
  type: MetadataIndexTypeSchema.optional(),
});

/** Logical record field → physical column; a mapping given is completed with the default column names. */
export const MetadataColumnMappingSchema = z.object({
  /** The column holding `id` (default `id`). */
  id: z.string().default('id'),
  /** The column holding `name` (default `name`). */
  name: z.string().default('name'),
  /** The column holding `type` (default `type`). */
  type: z.string().default('type'),
  /** The column holding `namespace` (default `namespace`). */
  namespace: z.string().default('namespace'),
  /** The column holding `scope` (default `scope`). */
  scope: z.string().default('scope'),
  /** The column holding `metadata` (default `metadata`). */
  metadata: z.string().default('metadata'),
  /** The column holding `extends` (default `extends`). */
  extends: z.string().default('extends'),
  /** The column holding `strategy` (default `strategy`). */
  strategy: z.string().default('strategy'),
  /** The column holding `owner` (default `owner`). */
  owner: z.string().default('owner'),
  /** The column holding `state` (default `state`). */
  state: z.string().default('state'),
  /** The column holding `createdBy` (default `created_by`). */
  createdBy: z.string().default('created_by'),
  /** The column holding `createdAt` (default `created_at`). */
  createdAt: z.string().default('created_at'),
  /** The column holding `updatedBy` (default `updated_by`). */
  updatedBy: z.string().default('updated_by'),
  /** The column holding `updatedAt` (default `updated_at`). */
  updatedAt: z.string().default('updated_at'),
});

/** The projection table's shape: name, schema, primary key, indexes and column mapping. */
export const MetadataTableSchemaSchema = z.object({
  /** The projection table's name (default `_framework_metadata`). */
  name: z.string().default('_framework_metadata'),
  /** The PostgreSQL schema holding the table; default the store's schema. */
  schema: z.string().optional(),
  /** The field whose column is the primary key: one every row has, such as `id` (default). */
  primaryKey: z.string().default('id'),
  /** Indexes to add to the table's own (namespace, type, scope, state and a GIN index on metadata). */
  indexes: z.array(MetadataIndexSchema).optional(),
  /** Column names for the record fields; a field left out keeps its default column. */
  columnMapping: MetadataColumnMappingSchema.optional(),
});

/* ---------------------------------------------------------- driver config */

/** Whether the driver migrates on open, drops on migrate, and backs up first. */
export const MetadataDriverMigrationConfigSchema = z.object({
  /** Create or upgrade the store's tables and projection when it opens (default true). */
  autoMigrate: z.boolean().default(true),
  /** Drop an existing projection table and rebuild it from the log: at each open with autoMigrate, and in a `create` migration (default false). */
  dropOnMigrate: z.boolean().default(false),
  /** Copy the projection table before a migration changes it (default true). */
  backupBeforeMigrate: z.boolean().default(true),
});

/** Batch size, the record cache and its TTL, prefetching on open, parallel loading. */
export const MetadataDriverPerformanceConfigSchema = z.object({
  /** Records per append statement of concurrent saves and per batch of a bulk operation (default 100). */
  batchSize: z.number().default(100),
  /** Keep loaded records in the store's cache (default true). */
  enableCache: z.boolean().default(true),
  /** How long the cache keeps a record, in seconds (default 3600). */
  cacheTtlSeconds: z.number().default(3600),
  /** Defaults to true inside a given `performance` section, as in the protocol. */
  prefetchOnInit: z.boolean().default(true),
  /** `driver.loadTypes` lists its types concurrently instead of one after another (default false). */
  parallelLoad: z.boolean().default(false),
});

/** Transactions of writes: default isolation, timeout, retries on conflict. */
export const MetadataDriverTransactionConfigSchema = z.object({
  /** The isolation level of the store's writes (default `read_committed`); a save's `transaction.isolationLevel` overrides it. */
  defaultIsolation: MetadataIsolationLevelSchema.default('read_committed'),
  /** The statement timeout of the store's connections, in milliseconds (default 30000). */
  timeout: z.number().default(30000),
  /** Run a write again from fresh state when a concurrent write changed its item first (default true). */
  retryOnConflict: z.boolean().default(true),
  /** How many times a conflicting write is retried before it fails with CONFLICT (default 3). */
  maxRetries: z.number().default(3),
});

/** Query settings: indexes, pagination, default page size, largest result. */
export const MetadataDriverQueryConfigSchema = z.object({
  /** false makes PostgreSQL scan the table instead of using its indexes, for the driver's queries (default true). */
  useIndexes: z.boolean().default(true),
  /** The most records one query or list returns; a larger limit or page is refused. The driver's default is 10000. */
  maxResultSize: z.number().optional(),
  /** false refuses a query's `pagination`; a query without a limit then returns up to maxResultSize records (default true). */
  enablePagination: z.boolean().default(true),
  /** Records per page of a query that gives neither pagination nor a limit (default 100). */
  defaultPageSize: z.number().default(100),
});

/** The protocol's MetadataDriverConfig: table schema, migration, performance, transactions, queries. */
export const MetadataDriverConfigSchema = z.object({
  /** The name of the datasource the configuration is for; the store connects with its own connection options. */
  datasource: z.string(),
  /** The projection table: name, schema, primary key, indexes, column names. */
  tableSchema: MetadataTableSchemaSchema.optional(),
  /** Migration on open, dropping and backing up before migrations. */
  migration: MetadataDriverMigrationConfigSchema.optional(),
  /** Batch size, the record cache, prefetching, parallel loading. */
  performance: MetadataDriverPerformanceConfigSchema.optional(),
  /** Isolation level, statement timeout and retries of writes. */
  transaction: MetadataDriverTransactionConfigSchema.optional(),
  /** Index use, pagination and result size of queries. */
  query: MetadataDriverQueryConfigSchema.optional(),
});

/* --------------------------------------------------------- bulk operation */

/** What a bulk operation does to its records. */
export const MetadataBulkOperationTypeSchema = z.enum(['create', 'update', 'delete', 'upsert']);

/** A bulk operation: the operation, its records, and whether it stops at the first error. */
export const MetadataBulkBatchSchema = z.object({
  /** Records per batch (one append statement each); the driver's default is its performance.batchSize. */
  size: z.number().default(100),
  /** With `transactional: false`, commit the batches concurrently instead of in order (default false). */
  parallel: z.boolean().default(false),
  /** Go on past a failing record: every record gets its result, and outside a transaction the others are written (default false). */
  continueOnError: z.boolean().default(false),
});

/** Records are kept as given (the driver checks each one); an empty list is a no-op. */
export const MetadataBulkOperationSchema = z.object({
  /** `create` (fails on an existing item), `update` (on a missing one), `upsert`, or `delete`. */
  operation: MetadataBulkOperationTypeSchema,
  /** The records to write, or for `delete` their type and name; one item at most once. */
  records: z.array(z.unknown()),
  /** Batch size, parallel batches, and whether to go on after a failure. */
  batch: MetadataBulkBatchSchema.optional(),
  /** All or nothing, in one transaction (default true); false commits each batch on its own, in one changeset. */
  transactional: z.boolean().default(true),
});

/* ---------------------------------------------------- migration operation */

/** What a migration operation does to the projection table. */
export const MetadataMigrationTypeSchema = z.enum(['create', 'alter', 'drop', 'backup', 'restore']);

/** An `alter` without a script parses; the driver refuses to run it. */
export const MetadataMigrationOperationSchema = z.object({
  /** `create`, `alter`, `drop`, `backup` or `restore` the projection table. */
  type: MetadataMigrationTypeSchema,
  /** The projection table's name: migrations operate on it (and its backups) only. */
  table: z.string(),
  /** SQL to run: an `alter` needs one; `create` and `drop` may give one; `backup` and `restore` take none. */
  script: z.string().optional(),
  /** SQL that undoes `script`: run when the operation fails, or later with `driver.rollbackMigration`. */
  rollbackScript: z.string().optional(),
  /** Run the operation and roll it back, reporting the statements (default false). */
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
