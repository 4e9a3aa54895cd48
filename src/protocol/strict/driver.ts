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
  /** The index's name, a SQL identifier; not one of the names of the table's own indexes. */
  name: SqlIdentifierSchema,
  /** The record fields (or mapped columns) the index covers, in order; at least one (exactly one for `hash`). */
  fields: z.array(SqlIdentifierSchema).min(1, { message: 'an index needs at least one field' }),
  /** A unique index (btree only). Default false. */
  unique: z.boolean().default(false),
  /** The index method: `btree` (default), `hash`, `gin` or `gist`. */
  type: MetadataIndexTypeSchema.default('btree'),
});

const mappedFields = Object.keys(MetadataColumnMappingSchema.shape) as (keyof typeof MetadataColumnMappingSchema.shape)[];

/** Logical record field → column: every key optional (the default column otherwise), unknown keys refused. */
export const StrictMetadataColumnMappingSchema = z
  .object(
    // mapped over the protocol schema's shape, so each field keeps its doc comment there
    Object.fromEntries(mappedFields.map((field) => [field, SqlIdentifierSchema.optional()])) as {
      [Field in keyof typeof MetadataColumnMappingSchema.shape]: z.ZodOptional<typeof SqlIdentifierSchema>;
    },
  )
  .strict();

/** MetadataTableSchemaSchema as the driver checks it: SQL identifiers, column mapping, indexes. */
export const StrictMetadataTableSchemaSchema = z.object({
  /** The projection table's name, a SQL identifier (default `_framework_metadata`). */
  name: SqlIdentifierSchema.default('_framework_metadata'),
  /** The PostgreSQL schema holding the table; default the store's schema. */
  schema: SqlIdentifierSchema.optional(),
  /** The field whose column is the primary key: one every row has, such as `id` (default). */
  primaryKey: SqlIdentifierSchema.default('id'),
  // Two indexes with one name would make CREATE INDEX fail half-way, so duplicates are refused up front.
  /** Indexes to add to the table's own (namespace, type, scope, state and a GIN index on metadata); names must differ. */
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
  /** Column names for the record fields; a field left out keeps its default column. */
  columnMapping: StrictMetadataColumnMappingSchema.default({}),
});

/* ---------------------------------------------------------- driver config */

/** MetadataDriverPerformanceConfigSchema with ranges checked. */
export const StrictMetadataDriverPerformanceConfigSchema = z.object({
  /** Records per append statement of concurrent saves and per batch of a bulk operation, 1 to 10000 (default 100). */
  batchSize: z.number().int().min(1).max(10000).default(100),
  /** Keep loaded records in the store's cache (default true). */
  enableCache: z.boolean().default(true),
  /** How long the cache keeps a record, in seconds (default 3600). */
  cacheTtlSeconds: z.number().int().min(0).default(3600),
  /** Load every record into the cache when the driver starts (needs enableCache); default true in a given section, false without one. */
  prefetchOnInit: z.boolean().default(true),
  /** `driver.loadTypes` lists its types concurrently instead of one after another (default false). */
  parallelLoad: z.boolean().default(false),
});

/** MetadataDriverTransactionConfigSchema with ranges checked. */
export const StrictMetadataDriverTransactionConfigSchema = z.object({
  /** The isolation level of the store's writes (default `read_committed`); a save's `transaction.isolationLevel` overrides it. */
  defaultIsolation: MetadataIsolationLevelSchema.default('read_committed'),
  /** The statement timeout of the store's connections, in milliseconds (default 30000). */
  timeout: z.number().int().positive().default(30000),
  /** Run a write again from fresh state when a concurrent write changed its item first (default true). */
  retryOnConflict: z.boolean().default(true),
  /** How many times a conflicting write is retried before it fails with CONFLICT, 0 to 100 (default 3). */
  maxRetries: z.number().int().min(0).max(100).default(3),
});

/** MetadataDriverQueryConfigSchema with ranges checked. */
export const StrictMetadataDriverQueryConfigSchema = z.object({
  /** false makes PostgreSQL scan the table instead of using its indexes, for the driver's queries (default true). */
  useIndexes: z.boolean().default(true),
  /** The most records one query or list returns; a larger limit or page is refused. Default 10000 (the protocol leaves it unset). */
  maxResultSize: z.number().int().positive().default(10000),
  /** false refuses a query's `pagination`; a query without a limit then returns up to maxResultSize records (default true). */
  enablePagination: z.boolean().default(true),
  /** Records per page of a query that gives neither pagination nor a limit, 1 to 1000 (default 100). */
  defaultPageSize: z.number().int().min(1).max(1000).default(100),
});

/** MetadataDriverConfig as `createMetadataStore({ driver })` accepts it: every section checked, unknown keys refused. */
export const StrictMetadataDriverConfigSchema = z.object({
  /** The name of the datasource the configuration is for (default `default`); the store connects with its own connection options. */
  datasource: z.string().default('default'),
  /** The projection table (default `_framework_metadata` in the store's schema); a driver over an open store refuses another one. */
  tableSchema: StrictMetadataTableSchemaSchema.default({}),
  /** Migration on open, dropping and backing up before migrations. */
  migration: MetadataDriverMigrationConfigSchema.default({}),
  // Left out, the driver does not prefetch: a store opened without a word about it loads nothing up front.
  /** Batch size, the record cache, prefetching, parallel loading; the cache is set when the store opens. */
  performance: StrictMetadataDriverPerformanceConfigSchema.default({ prefetchOnInit: false }),
  /** Isolation level, statement timeout and retries of writes: set when the store opens; a driver over an open store refuses others. */
  transaction: StrictMetadataDriverTransactionConfigSchema.default({}),
  /** Index use, pagination and result size of queries. */
  query: StrictMetadataDriverQueryConfigSchema.default({}),
});

/* --------------------------------------------------------- bulk operation */

/** MetadataBulkBatchSchema as the driver checks it: canonical keys, JSON-only records. */
export const StrictMetadataBulkBatchSchema = z.object({
  /** Records per batch (one append statement each), 1 to 10000; default the driver's performance.batchSize. */
  size: z.number().int().min(1).max(10000).default(100),
  /** With `transactional: false`, commit the batches concurrently instead of in order (default false). */
  parallel: z.boolean().default(false),
  /** Go on past a failing record: every record gets its result, and outside a transaction the others are written (default false). */
  continueOnError: z.boolean().default(false),
});

const bulkCommon = {
  /** Batch size, parallel batches, and whether to go on after a failure. */
  batch: StrictMetadataBulkBatchSchema.default({}),
  /** All or nothing, in one transaction (default true); false commits each batch on its own, in one changeset. */
  transactional: z.boolean().default(true),
};

/** Discriminated on `operation`: 'delete' takes record references, the others full records; an empty list is a no-op. */
export const StrictMetadataBulkOperationSchema = z.discriminatedUnion('operation', [
  z.object({
    /** `create` (fails on an existing item), `update` (on a missing one; envelope fields not given keep their value) or `upsert`. */
    operation: MetadataBulkOperationTypeSchema.exclude(['delete']),
    /** The records to write; one item at most once. */
    records: z.array(StrictMetadataRecordSchema),
    ...bulkCommon,
  }),
  z.object({
    /** `delete`: remove the items (their history stays). */
    operation: z.literal('delete'),
    /** The items to delete, by type and name (and id, checked when given); one item at most once. */
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
    /** `create`, `alter`, `drop`, `backup` or `restore` the projection table. */
    type: MetadataMigrationTypeSchema,
    /** The projection table's name: migrations operate on it (and its backups) only. */
    table: SqlIdentifierSchema,
    /** metaledger's: the PostgreSQL schema of the table; default the projection's. */
    schema: SqlIdentifierSchema.optional(),
    /** SQL to run: an `alter` needs one; `create` and `drop` may give one; `backup` and `restore` take none. */
    script: z.string().optional(),
    /** SQL that undoes `script`: run when the operation fails, or later with `driver.rollbackMigration`. */
    rollbackScript: z.string().optional(),
    /** Run the operation and roll it back, reporting the statements (default false). */
    dryRun: z.boolean().default(false),
    /** metaledger's: `backup` names the new backup (default generated), `restore` the one to read (default the newest), `drop` the one to remove. */
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
