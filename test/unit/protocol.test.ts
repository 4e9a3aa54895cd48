import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  DatasourceConnectionConfigSchema,
  DatasourceSchema,
  describeIssues,
  MetadataBulkOperationSchema,
  MetadataDriverConfigSchema,
  MetadataExportOptionsSchema,
  MetadataImportOptionsSchema,
  MetadataLoaderContractSchema,
  MetadataLoadOptionsSchema,
  MetadataMigrationOperationSchema,
  MetadataQueryOptionsSchema,
  MetadataRecordSchema,
  MetadataSaveOptionsSchema,
  StrictMetadataBulkOperationSchema,
  StrictMetadataDriverConfigSchema,
} from '../../src/protocol/index.js';

/** Parse expecting failure; returns the described issues. */
function issuesOf(schema: z.ZodTypeAny, input: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  if (result.success) return [];
  return describeIssues(result.error);
}

describe('spec examples parse unchanged', () => {
  it('1. datasource configuration', () => {
    const datasource = DatasourceSchema.parse({
      name: 'metadata_db',
      driver: 'postgres',
      config: {
        host: 'localhost',
        port: 5432,
        database: 'objectstack_metadata',
        user: 'admin',
        password: 'secret',
      },
      pool: {
        min: 2,
        max: 10,
      },
    });
    expect(datasource).toEqual({
      name: 'metadata_db',
      driver: 'postgres',
      config: {
        host: 'localhost',
        port: 5432,
        database: 'objectstack_metadata',
        user: 'admin',
        password: 'secret',
      },
      pool: { min: 2, max: 10 },
      active: true,
    });
  });

  it('2. metadata loader configuration', () => {
    const input = {
      name: 'database-loader',
      protocol: 'database:',
      capabilities: {
        read: true,
        write: true,
        watch: false, // File watching not supported for DB
        list: true,
      },
      datasourceConfig: {
        datasource: 'metadata_db',
        table: '_framework_metadata',
        schema: 'public',
        autoMigrate: true,
        cache: {
          enabled: true,
          ttlSeconds: 3600,
          invalidateOnWrite: true,
        },
        queryOptions: {
          batchSize: 100,
          useIndexes: true,
          parallelLoad: false,
        },
      },
    };
    const loader = MetadataLoaderContractSchema.parse(input);
    expect(loader).toEqual(input);
  });

  it('3. metadata driver configuration', () => {
    const input = {
      datasource: 'metadata_db',

      tableSchema: {
        name: 'metadata',
        schema: 'public',
        primaryKey: 'id',
        indexes: [
          {
            name: 'idx_type_name',
            fields: ['type', 'name'],
            unique: true,
          },
          {
            name: 'idx_namespace',
            fields: ['namespace'],
            unique: false,
          },
        ],
        columnMapping: {
          id: 'metadata_id',
          name: 'metadata_name',
          type: 'metadata_type',
        },
      },

      migration: {
        autoMigrate: true,
        dropOnMigrate: false,
        backupBeforeMigrate: true,
      },

      performance: {
        batchSize: 200,
        enableCache: true,
        cacheTtlSeconds: 7200,
        prefetchOnInit: true,
        parallelLoad: true,
      },

      transaction: {
        defaultIsolation: 'read_committed',
        timeout: 30000,
        retryOnConflict: true,
        maxRetries: 3,
      },

      query: {
        useIndexes: true,
        maxResultSize: 10000,
        enablePagination: true,
        defaultPageSize: 100,
      },
    };
    const driverConfig = MetadataDriverConfigSchema.parse(input);
    // as in the protocol: an index type stays unset, a column mapping is completed with the default names
    expect(driverConfig.tableSchema?.indexes?.map((index) => index.type)).toEqual([undefined, undefined]);
    expect(driverConfig.tableSchema?.columnMapping).toMatchObject({ ...input.tableSchema.columnMapping, createdAt: 'created_at' });
    // the driver's strict layer takes it too: the index method it will build, the columns mapped as given
    const strict = StrictMetadataDriverConfigSchema.parse(input);
    expect(strict.tableSchema.indexes.map((index) => index.type)).toEqual(['btree', 'btree']);
    expect(strict.tableSchema.columnMapping).toEqual(input.tableSchema.columnMapping);
    expect(driverConfig.performance).toEqual(input.performance);
    expect(driverConfig.transaction).toEqual(input.transaction);
    expect(driverConfig.query).toEqual(input.query);
    expect(driverConfig.migration).toEqual(input.migration);
  });

  it('loading metadata', () => {
    const options = MetadataLoadOptionsSchema.parse({
      datasource: 'metadata_db',
      filters: {
        type: 'object',
        namespace: 'crm',
      },
      sort: {
        field: 'name',
        order: 'asc',
      },
      limit: 100,
    });
    expect(options).toEqual({
      datasource: 'metadata_db',
      filters: { type: 'object', namespace: 'crm' },
      sort: { field: 'name', order: 'asc' },
      limit: 100,
    });
  });

  it('saving metadata', () => {
    const options = MetadataSaveOptionsSchema.parse({
      datasource: 'metadata_db',
      transaction: {
        enabled: true,
        isolationLevel: 'serializable',
      },
      onConflict: 'update', // or 'error', 'skip', 'replace'
    });
    expect(options.transaction).toEqual({ enabled: true, isolationLevel: 'serializable' });
    expect(options.onConflict).toBe('update');
  });

  it('querying metadata', () => {
    const queryOptions = MetadataQueryOptionsSchema.parse({
      filters: {
        type: ['object', 'view'],
        namespace: 'crm',
        scope: 'system',
        state: 'active',
      },
      sort: [
        { field: 'name', order: 'asc' },
        { field: 'createdAt', order: 'desc' },
      ],
      pagination: {
        page: 1,
        pageSize: 50,
      },
      select: ['id', 'name', 'type', 'metadata'],
      includeArchived: false,
    });
    expect(queryOptions).toEqual({
      filters: { type: ['object', 'view'], namespace: 'crm', scope: 'system', state: 'active' },
      sort: [
        { field: 'name', order: 'asc' },
        { field: 'createdAt', order: 'desc' },
      ],
      pagination: { page: 1, pageSize: 50 },
      select: ['id', 'name', 'type', 'metadata'],
      includeArchived: false,
    });
  });

  it('bulk operations', () => {
    const bulkOp = MetadataBulkOperationSchema.parse({
      operation: 'upsert',
      records: [
        { id: '1', name: 'account', type: 'object', metadata: { label: 'Account' } },
        { id: '2', name: 'contact', type: 'object', metadata: { label: 'Contact' } },
      ],
      batch: {
        size: 50,
        parallel: true,
        continueOnError: false,
      },
      transactional: true,
    });
    // records are kept as given; the driver's strict layer parses each one (defaults included)
    expect(bulkOp.records).toEqual([
      { id: '1', name: 'account', type: 'object', metadata: { label: 'Account' } },
      { id: '2', name: 'contact', type: 'object', metadata: { label: 'Contact' } },
    ]);
    expect(StrictMetadataBulkOperationSchema.parse(bulkOp).records[0]).toMatchObject({
      namespace: 'default',
      scope: 'platform',
      state: 'active',
    });
    expect(bulkOp.batch).toEqual({ size: 50, parallel: true, continueOnError: false });
  });

  it('schema migration', () => {
    const migration = MetadataMigrationOperationSchema.parse({
      type: 'alter',
      table: 'metadata',
      script: 'ALTER TABLE metadata ADD COLUMN version INTEGER DEFAULT 1',
      rollbackScript: 'ALTER TABLE metadata DROP COLUMN version',
      dryRun: false,
    });
    expect(migration.table).toBe('metadata');
    expect(migration.dryRun).toBe(false);
  });

  it('encryption snippet (driver omitted)', () => {
    const datasource = DatasourceSchema.parse({
      name: 'metadata_db',
      config: {
        ssl: true,
        sslMode: 'require',
      },
    });
    expect(datasource.driver).toBe('postgres');
    expect(datasource.config).toEqual({ ssl: true, sslMode: 'require' });
  });

  it('credentials snippet', () => {
    // The doc's snippet repeats `password`; each alternative is checked on its own.
    expect(DatasourceConnectionConfigSchema.parse({ password: 'secret' })).toEqual({ password: 'secret' });
    expect(DatasourceSchema.parse({ name: 'metadata_db', config: { password: 'from-secrets-manager' } }).config).toEqual({
      password: 'from-secrets-manager',
    });
  });

  it('migration guide: export, database loader, import', () => {
    expect(
      MetadataExportOptionsSchema.parse({
        output: '/tmp/metadata-backup.json',
        format: 'json',
      }),
    ).toEqual({ output: '/tmp/metadata-backup.json', format: 'json' });

    const dbLoader = MetadataLoaderContractSchema.parse({
      name: 'database-loader',
      protocol: 'database:',
      datasourceConfig: {
        datasource: 'metadata_db',
        autoMigrate: true,
      },
    });
    expect(dbLoader.capabilities).toEqual({ read: true, write: false, watch: false, list: true });
    expect(dbLoader.datasourceConfig?.table).toBe('_framework_metadata');

    expect(
      MetadataImportOptionsSchema.parse({
        source: '/tmp/metadata-backup.json',
        strategy: 'merge',
        validate: true,
      }),
    ).toEqual({ source: '/tmp/metadata-backup.json', strategy: 'merge', validate: true });
  });
});

describe('describeIssues', () => {
  it('gives dotted paths and the root marker', () => {
    expect(issuesOf(MetadataRecordSchema, 'nope')).toEqual([{ path: '(root)', message: 'Expected object, received string' }]);
  });

  it('unwraps unions to the branch the input was aimed at', () => {
    expect(issuesOf(DatasourceSchema, { name: 'db', config: { ssl: 'yes' } })).toEqual([
      { path: 'config.ssl', message: 'expected boolean or object, received string' },
    ]);
  });
});
