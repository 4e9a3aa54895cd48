import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  DatasourceConnectionConfigSchema,
  DatasourceSchema,
  describeIssues,
  MetadataBulkOperationSchema,
  MetadataCollectionInfoSchema,
  MetadataDatasourceConfigSchema,
  MetadataDriverConfigSchema,
  MetadataExportOptionsSchema,
  MetadataFormatSchema,
  MetadataImportOptionsSchema,
  MetadataIsolationLevelSchema,
  MetadataLoaderContractSchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataManagerConfigSchema,
  MetadataMigrationOperationSchema,
  MetadataQueryFiltersSchema,
  MetadataQueryOptionsSchema,
  MetadataRecordSchema,
  MetadataSaveOptionsSchema,
  MetadataSaveResultSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  MetadataStatsSchema,
  MetadataTableSchemaSchema,
  MetadataWatchEventSchema,
  SqlIdentifierSchema,
} from '../../src/protocol/index.js';

/** Parse expecting failure; returns the described issues. */
function issuesOf(schema: z.ZodTypeAny, input: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  if (result.success) return [];
  return describeIssues(result.error);
}

function messages(schema: z.ZodTypeAny, input: unknown): string {
  return issuesOf(schema, input)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('\n');
}

const SQL_IDENTIFIER_TEXT = 'must be a SQL identifier: letters, digits, underscore, not starting with a digit';

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
    expect(driverConfig.tableSchema.indexes.map((index) => index.type)).toEqual(['btree', 'btree']);
    expect(driverConfig.tableSchema.columnMapping).toEqual(input.tableSchema.columnMapping);
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
      cache: true,
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
    expect(bulkOp.records).toHaveLength(2);
    expect(bulkOp.records[0]).toMatchObject({ namespace: 'default', scope: 'platform', state: 'active' });
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
    ).toEqual({ output: '/tmp/metadata-backup.json', format: 'json', includeHistory: false });

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
    ).toEqual({ source: '/tmp/metadata-backup.json', strategy: 'merge', validate: true, dryRun: false });
  });
});

describe('defaults', () => {
  it('datasource', () => {
    expect(DatasourceSchema.parse({ name: 'local', driver: 'pglite' })).toEqual({
      name: 'local',
      driver: 'pglite',
      config: {},
      pool: { min: 0, max: 10 },
      active: true,
    });
  });

  it('record', () => {
    expect(MetadataRecordSchema.parse({ name: 'account', type: 'object', metadata: {} })).toEqual({
      name: 'account',
      type: 'object',
      namespace: 'default',
      scope: 'platform',
      metadata: {},
      strategy: 'merge',
      state: 'active',
    });
  });

  it('datasource config', () => {
    expect(MetadataDatasourceConfigSchema.parse({ datasource: 'metadata_db' })).toEqual({
      datasource: 'metadata_db',
      table: '_framework_metadata',
      schema: 'public',
      autoMigrate: true,
      cache: { enabled: true, ttlSeconds: 3600, invalidateOnWrite: true },
      queryOptions: { batchSize: 100, useIndexes: true, parallelLoad: false },
    });
  });

  it('loader contract capabilities', () => {
    expect(MetadataLoaderContractSchema.parse({ name: 'files', protocol: 'file:' }).capabilities).toEqual({
      read: true,
      write: false,
      watch: false,
      list: true,
    });
  });

  it('load options and result', () => {
    expect(MetadataLoadOptionsSchema.parse({})).toEqual({ cache: true });
    expect(MetadataLoadResultSchema.parse({ data: null })).toEqual({
      data: null,
      fromCache: false,
      notModified: false,
    });
    expect(MetadataLoadOptionsSchema.parse({ sort: [{ field: 'updatedAt' }] }).sort).toEqual([{ field: 'updatedAt', order: 'asc' }]);
  });

  it('save options and result', () => {
    expect(MetadataSaveOptionsSchema.parse({})).toEqual({
      create: true,
      overwrite: true,
      validate: true,
      onConflict: 'update',
    });
    expect(MetadataSaveOptionsSchema.parse({ transaction: {} }).transaction).toEqual({ enabled: true });
    const withAudit = MetadataSaveOptionsSchema.parse({
      actor: 'alice',
      reason: 'rename label',
      correlationId: 'req-1',
      expectedVersion: 3,
    });
    expect(withAudit).toMatchObject({ actor: 'alice', reason: 'rename label', correlationId: 'req-1', expectedVersion: 3 });
    expect(MetadataSaveResultSchema.parse({ success: true, version: 4, created: false })).toEqual({
      success: true,
      version: 4,
      created: false,
    });
  });

  it('export / import options', () => {
    expect(MetadataExportOptionsSchema.parse({ output: 'out.json' })).toEqual({
      output: 'out.json',
      format: 'json',
      includeHistory: false,
    });
    expect(MetadataImportOptionsSchema.parse({ source: 'in.json' })).toEqual({
      source: 'in.json',
      strategy: 'merge',
      validate: true,
      dryRun: false,
    });
  });

  it('manager config', () => {
    expect(MetadataManagerConfigSchema.parse({})).toEqual({
      loaders: [],
      cache: { enabled: true, ttlSeconds: 3600 },
      watch: false,
    });
  });

  it('table schema', () => {
    expect(MetadataTableSchemaSchema.parse({})).toEqual({
      name: '_framework_metadata',
      schema: 'public',
      primaryKey: 'id',
      indexes: [],
      columnMapping: {},
    });
    expect(MetadataTableSchemaSchema.parse({ indexes: [{ name: 'idx_type', fields: ['type'] }] }).indexes).toEqual([
      { name: 'idx_type', fields: ['type'], unique: false, type: 'btree' },
    ]);
  });

  it('driver config', () => {
    expect(MetadataDriverConfigSchema.parse({ datasource: 'metadata_db' })).toEqual({
      datasource: 'metadata_db',
      tableSchema: {
        name: '_framework_metadata',
        schema: 'public',
        primaryKey: 'id',
        indexes: [],
        columnMapping: {},
      },
      migration: { autoMigrate: true, dropOnMigrate: false, backupBeforeMigrate: true },
      performance: {
        batchSize: 100,
        enableCache: true,
        cacheTtlSeconds: 3600,
        prefetchOnInit: false,
        parallelLoad: false,
      },
      transaction: {
        defaultIsolation: 'read_committed',
        timeout: 30000,
        retryOnConflict: true,
        maxRetries: 3,
      },
      query: { useIndexes: true, maxResultSize: 10000, enablePagination: true, defaultPageSize: 100 },
    });
  });

  it('query options', () => {
    expect(MetadataQueryOptionsSchema.parse({})).toEqual({ filters: {}, includeArchived: false });
    expect(MetadataQueryOptionsSchema.parse({ pagination: {}, sort: [{ field: 'metadata.label' }] })).toEqual({
      filters: {},
      includeArchived: false,
      pagination: { page: 1, pageSize: 100 },
      sort: [{ field: 'metadata.label', order: 'asc' }],
    });
  });

  it('bulk operation', () => {
    const op = MetadataBulkOperationSchema.parse({
      operation: 'create',
      records: [{ name: 'account', type: 'object', metadata: {} }],
    });
    expect(op.batch).toEqual({ size: 100, parallel: false, continueOnError: false });
    expect(op.transactional).toBe(true);
  });

  it('bulk delete needs only type and name', () => {
    const op = MetadataBulkOperationSchema.parse({
      operation: 'delete',
      records: [
        { type: 'object', name: 'account' },
        { id: '7', type: 'view', name: 'all_accounts' },
      ],
    });
    expect(op.records).toEqual([
      { type: 'object', name: 'account' },
      { id: '7', type: 'view', name: 'all_accounts' },
    ]);
    // Non-delete operations still need the metadata document.
    expect(messages(MetadataBulkOperationSchema, { operation: 'update', records: [{ type: 'object', name: 'a' }] })).toMatch(
      /records\.0\.metadata: metadata is required/,
    );
  });

  it('migration operation', () => {
    expect(MetadataMigrationOperationSchema.parse({ type: 'create' })).toEqual({
      type: 'create',
      table: '_framework_metadata',
      dryRun: false,
    });
  });
});

describe('enums reject unknown values', () => {
  const cases: [string, z.ZodTypeAny, unknown][] = [
    ['scope', MetadataScopeSchema, 'global'],
    ['state', MetadataStateSchema, 'deleted'],
    ['format', MetadataFormatSchema, 'xml'],
    ['isolation', MetadataIsolationLevelSchema, 'snapshot'],
    ['record.scope', MetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, scope: 'global' }],
    ['record.state', MetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, state: 'gone' }],
    ['record.strategy', MetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, strategy: 'append' }],
    ['bulk operation', MetadataBulkOperationSchema, { operation: 'merge', records: [{ type: 'object', name: 'a' }] }],
    ['migration type', MetadataMigrationOperationSchema, { type: 'truncate' }],
    ['save onConflict', MetadataSaveOptionsSchema, { onConflict: 'overwrite' }],
    ['save isolation', MetadataSaveOptionsSchema, { transaction: { isolationLevel: 'snapshot' } }],
    ['driver isolation', MetadataDriverConfigSchema, { datasource: 'db', transaction: { defaultIsolation: 'snapshot' } }],
    ['import strategy', MetadataImportOptionsSchema, { source: 'x', strategy: 'upsert' }],
    ['export format', MetadataExportOptionsSchema, { output: 'x', format: 'typescript' }],
    ['loader protocol', MetadataLoaderContractSchema, { name: 'x', protocol: 'ftp:' }],
    ['index type', MetadataTableSchemaSchema, { indexes: [{ name: 'i', fields: ['a'], type: 'brin' }] }],
    ['sslMode', DatasourceSchema, { name: 'db', config: { sslMode: 'always' } }],
    ['watch event type', MetadataWatchEventSchema, { type: 'moved', metadataType: 'object', name: 'a', timestamp: '2024-01-01T00:00:00Z' }],
    ['sort order', MetadataQueryOptionsSchema, { sort: [{ field: 'name', order: 'up' }] }],
    ['filter scope', MetadataQueryFiltersSchema, { scope: 'global' }],
    ['filter state list', MetadataQueryFiltersSchema, { state: ['active', 'gone'] }],
  ];
  it.each(cases)('%s', (_label, schema, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it('filter enum errors point at the bad value', () => {
    const issues = issuesOf(MetadataQueryFiltersSchema, { state: ['active', 'gone'] });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('state.1');
    expect(issues[0]!.message).toMatch(/gone/);
  });

  it('unsupported driver gets a clear message', () => {
    for (const driver of ['mysql', 'mongodb', 'sqlite']) {
      expect(messages(DatasourceSchema, { name: 'db', driver })).toMatch(
        new RegExp(`driver: unsupported driver "${driver}": metaledger implements only 'postgres' and 'pglite'`),
      );
    }
  });
});

describe('identifiers', () => {
  it('datasource name must be a lowercase identifier', () => {
    expect(messages(DatasourceSchema, { name: 'Bad Name' })).toMatch(/name: "Bad Name" must be a lowercase identifier/);
    expect(messages(DatasourceSchema, { name: 'x;drop table' })).toMatch(/name: .*must be a lowercase identifier/);
    expect(DatasourceSchema.safeParse({ name: '1db' }).success).toBe(false);
    expect(DatasourceSchema.safeParse({ name: 'metadata_db' }).success).toBe(true);
  });

  it('table name must be a SQL identifier', () => {
    expect(messages(MetadataTableSchemaSchema, { name: 'x; drop table y' })).toContain(`name: "x; drop table y" ${SQL_IDENTIFIER_TEXT}`);
    expect(messages(MetadataDatasourceConfigSchema, { datasource: 'db', table: 'x; drop table y' })).toContain(
      `table: "x; drop table y" ${SQL_IDENTIFIER_TEXT}`,
    );
    expect(messages(MetadataMigrationOperationSchema, { type: 'drop', table: 'x; drop table y' })).toContain(SQL_IDENTIFIER_TEXT);
  });

  it('every configured SQL name is checked', () => {
    const bad = 'bad-name';
    const inputs: [z.ZodTypeAny, unknown, string][] = [
      [MetadataTableSchemaSchema, { schema: bad }, 'schema'],
      [MetadataTableSchemaSchema, { primaryKey: bad }, 'primaryKey'],
      [MetadataTableSchemaSchema, { indexes: [{ name: bad, fields: ['a'] }] }, 'indexes.0.name'],
      [MetadataTableSchemaSchema, { indexes: [{ name: 'i', fields: ['a', bad] }] }, 'indexes.0.fields.1'],
      [MetadataTableSchemaSchema, { columnMapping: { owner: bad } }, 'columnMapping.owner'],
      [MetadataDatasourceConfigSchema, { datasource: 'db', schema: bad }, 'schema'],
      [MetadataMigrationOperationSchema, { type: 'backup', backupName: bad }, 'backupName'],
      [MetadataMigrationOperationSchema, { type: 'create', schema: bad }, 'schema'],
    ];
    for (const [schema, input, path] of inputs) {
      expect(issuesOf(schema, input)).toContainEqual({ path, message: `"${bad}" ${SQL_IDENTIFIER_TEXT}` });
    }
  });

  it('identifiers longer than 63 characters are rejected', () => {
    expect(SqlIdentifierSchema.safeParse('a'.repeat(63)).success).toBe(true);
    expect(SqlIdentifierSchema.safeParse('a'.repeat(64)).success).toBe(false);
    expect(SqlIdentifierSchema.safeParse('').success).toBe(false);
  });

  it('columnMapping rejects unknown keys', () => {
    expect(messages(MetadataTableSchemaSchema, { columnMapping: { colour: 'c' } })).toMatch(
      /columnMapping: Unrecognized key\(s\) in object: 'colour'/,
    );
  });

  it('duplicate index names are rejected', () => {
    expect(
      messages(MetadataTableSchemaSchema, {
        indexes: [
          { name: 'idx', fields: ['a'] },
          { name: 'idx', fields: ['b'] },
        ],
      }),
    ).toMatch(/indexes\.1\.name: duplicate index name 'idx'/);
  });
});

describe('datasource config', () => {
  it('rejects unknown connection keys and bad ports', () => {
    expect(messages(DatasourceSchema, { name: 'db', config: { hostname: 'x' } })).toMatch(/'hostname'/);
    expect(DatasourceSchema.safeParse({ name: 'db', config: { port: 0 } }).success).toBe(false);
    expect(DatasourceSchema.safeParse({ name: 'db', config: { port: 65536 } }).success).toBe(false);
    expect(DatasourceSchema.safeParse({ name: 'db', config: { port: 5432.5 } }).success).toBe(false);
  });

  it('accepts ssl as boolean or options object', () => {
    expect(DatasourceSchema.parse({ name: 'db', config: { ssl: { rejectUnauthorized: false } } }).config.ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(messages(DatasourceSchema, { name: 'db', config: { ssl: { rejectUnauthorised: false } } })).toMatch(
      /config\.ssl: Unrecognized key\(s\) in object: 'rejectUnauthorised'/,
    );
  });

  it('accepts pglite dataDir and rejects min > max pool', () => {
    expect(DatasourceSchema.parse({ name: 'embedded', driver: 'pglite', config: { dataDir: 'memory://' } }).driver).toBe('pglite');
    expect(messages(DatasourceSchema, { name: 'db', pool: { min: 5, max: 2 } })).toMatch(/pool\.min: /);
  });
});

describe('records', () => {
  const base = { name: 'account', type: 'object' };

  it('metadata must be a JSON object', () => {
    for (const metadata of [[], ['a'], 'text', null, 42]) {
      expect(messages(MetadataRecordSchema, { ...base, metadata })).toMatch(/metadata: metadata must be a JSON object/);
    }
    expect(messages(MetadataRecordSchema, base)).toMatch(/metadata: metadata is required/);
  });

  it('name is trimmed and checked', () => {
    expect(MetadataRecordSchema.parse({ ...base, name: '  account ', metadata: {} }).name).toBe('account');
    expect(messages(MetadataRecordSchema, { ...base, name: '   ', metadata: {} })).toMatch(/name: name must not be empty/);
    expect(messages(MetadataRecordSchema, { ...base, name: 'a/b', metadata: {} })).toMatch(/'\/' or control characters/);
    expect(messages(MetadataRecordSchema, { ...base, name: 'a\nb', metadata: {} })).toMatch(/control characters/);
    expect(MetadataRecordSchema.safeParse({ ...base, name: 'x'.repeat(256), metadata: {} }).success).toBe(false);
    expect(MetadataRecordSchema.safeParse({ ...base, type: 'x'.repeat(101), metadata: {} }).success).toBe(false);
  });

  it('datetimes must be ISO 8601', () => {
    expect(
      MetadataRecordSchema.parse({ ...base, metadata: {}, createdAt: '2024-01-31T12:00:00Z', updatedAt: '2024-01-31T13:00:00+02:00' })
        .updatedAt,
    ).toBe('2024-01-31T13:00:00+02:00');
    for (const createdAt of ['yesterday', '2024-13-01T00:00:00Z', '2024-01-31', 1706702400000]) {
      expect(messages(MetadataRecordSchema, { ...base, metadata: {}, createdAt })).toMatch(/^createdAt: /);
    }
    expect(MetadataStatsSchema.safeParse({ size: 1, mtime: 'not a date', hash: 'h', etag: 'e' }).success).toBe(false);
    expect(MetadataWatchEventSchema.safeParse({ type: 'added', metadataType: 'object', name: 'a', timestamp: '31/01/2024' }).success).toBe(
      false,
    );
  });

  it('version is a non-negative integer', () => {
    expect(MetadataRecordSchema.safeParse({ ...base, metadata: {}, version: -1 }).success).toBe(false);
    expect(MetadataRecordSchema.safeParse({ ...base, metadata: {}, version: 1.5 }).success).toBe(false);
    expect(MetadataRecordSchema.parse({ ...base, metadata: {}, version: 0 }).version).toBe(0);
  });

  it('bulk errors carry the record index', () => {
    const records = [
      { name: 'a', type: 'object', metadata: {} },
      { name: 'b', type: 'object', metadata: {} },
      { name: 'c', type: 'object', metadata: {} },
      { name: 'd', type: 'object', metadata: [] },
    ];
    expect(issuesOf(MetadataBulkOperationSchema, { operation: 'create', records })).toEqual([
      { path: 'records.3.metadata', message: 'metadata must be a JSON object (not an array, null or a primitive)' },
    ]);
    expect(messages(MetadataBulkOperationSchema, { operation: 'create', records: [] })).toMatch(
      /records: records must contain at least one record/,
    );
  });
});

describe('query filters and options', () => {
  it('custom filters accept values and operators, normalised to operator form', () => {
    const filters = MetadataQueryFiltersSchema.parse({
      custom: {
        'fields.amount.label': 'Amount',
        '/fields/amount/scale': { $gte: 2, $lt: 10 },
        'fields.status': { $in: ['open', 'closed'] },
        'fields.legacy': { $exists: false },
        label: { $like: 'Acc%' },
        tags: { $contains: ['vip'] },
      },
    });
    expect(filters.custom).toEqual({
      'fields.amount.label': { $eq: 'Amount' },
      '/fields/amount/scale': { $gte: 2, $lt: 10 },
      'fields.status': { $in: ['open', 'closed'] },
      'fields.legacy': { $exists: false },
      label: { $like: 'Acc%' },
      tags: { $contains: ['vip'] },
    });
    // A plain object without operator keys is a literal value.
    expect(MetadataQueryFiltersSchema.parse({ custom: { options: { a: 1 } } }).custom).toEqual({
      options: { $eq: { a: 1 } },
    });
  });

  it('unknown operator is rejected with the operator named', () => {
    expect(messages(MetadataQueryFiltersSchema, { custom: { 'fields.amount': { $regex: '^a' } } })).toMatch(
      /custom\.fields\.amount\.\$regex: unknown filter operator '\$regex'/,
    );
  });

  it('operator value types are checked', () => {
    expect(messages(MetadataQueryFiltersSchema, { custom: { a: { $in: 'x' } } })).toMatch(/\$in needs an array/);
    expect(messages(MetadataQueryFiltersSchema, { custom: { a: { $nin: 1 } } })).toMatch(/\$nin needs an array/);
    expect(messages(MetadataQueryFiltersSchema, { custom: { a: { $exists: 'yes' } } })).toMatch(/\$exists needs true or false/);
    expect(messages(MetadataQueryFiltersSchema, { custom: { a: { $like: 5 } } })).toMatch(/\$like needs a string/);
    expect(messages(MetadataQueryFiltersSchema, { custom: { a: { $eq: 1, b: 2 } } })).toMatch(/'b' cannot be mixed with operators/);
  });

  it('custom filter paths are validated', () => {
    expect(messages(MetadataQueryFiltersSchema, { custom: { "a'; drop": 1 } })).toMatch(/is not a valid JSON path/);
  });

  it('filters are strict and lists must be non-empty', () => {
    expect(messages(MetadataQueryFiltersSchema, { kind: 'object' })).toMatch(/Unrecognized key\(s\) in object: 'kind'/);
    expect(messages(MetadataQueryFiltersSchema, { type: [] })).toMatch(/type: type array must not be empty/);
    expect(MetadataQueryFiltersSchema.parse({ owner: 'alice', name: ['a', 'b'] })).toEqual({
      owner: 'alice',
      name: ['a', 'b'],
    });
  });

  it('pagination bounds', () => {
    expect(messages(MetadataQueryOptionsSchema, { pagination: { pageSize: 1001 } })).toMatch(/^pagination\.pageSize: /);
    expect(messages(MetadataQueryOptionsSchema, { pagination: { page: 0 } })).toMatch(/^pagination\.page: /);
    expect(MetadataQueryOptionsSchema.parse({ pagination: { pageSize: 1000 } }).pagination).toEqual({
      page: 1,
      pageSize: 1000,
    });
  });

  it('sort and select fields are restricted', () => {
    expect(messages(MetadataQueryOptionsSchema, { sort: [{ field: 'password' }] })).toMatch(/sort\.0\.field: cannot sort by "password"/);
    expect(messages(MetadataQueryOptionsSchema, { select: ['name', 'secret'] })).toMatch(/select\.1: cannot select "secret"/);
    expect(MetadataQueryOptionsSchema.safeParse({ sort: [{ field: 'metadata' }] }).success).toBe(false);
    expect(MetadataQueryOptionsSchema.safeParse({ select: ['metadata.fields.amount', 'version'] }).success).toBe(true);
    expect(messages(MetadataLoadOptionsSchema, { sort: { field: 'nope' } })).toMatch(/sort\.field: cannot sort by "nope"/);
  });
});

describe('other schemas', () => {
  it('alter migrations need a script', () => {
    expect(issuesOf(MetadataMigrationOperationSchema, { type: 'alter', table: 'metadata' })).toEqual([
      { path: 'script', message: "script is required for 'alter' migrations" },
    ]);
  });

  it('loader names are unique within a manager', () => {
    expect(
      messages(MetadataManagerConfigSchema, {
        loaders: [
          { name: 'db', protocol: 'database:' },
          { name: 'db', protocol: 'file:' },
        ],
      }),
    ).toMatch(/loaders\.1\.name: duplicate loader name 'db'/);
  });

  it('driver config ranges', () => {
    expect(MetadataDriverConfigSchema.safeParse({ datasource: 'db', performance: { batchSize: 0 } }).success).toBe(false);
    expect(MetadataDriverConfigSchema.safeParse({ datasource: 'db', transaction: { maxRetries: 101 } }).success).toBe(false);
    expect(MetadataDriverConfigSchema.safeParse({ datasource: 'db', query: { defaultPageSize: 1001 } }).success).toBe(false);
    expect(MetadataDriverConfigSchema.safeParse({ datasource: 'db', transaction: { timeout: 0 } }).success).toBe(false);
  });

  it('watch events, stats and collection info', () => {
    expect(
      MetadataWatchEventSchema.parse({
        type: 'changed',
        metadataType: 'object',
        name: 'account',
        timestamp: '2024-01-31T12:00:00.123Z',
        position: '42',
      }).position,
    ).toBe('42');
    expect(
      MetadataStatsSchema.parse({ size: 10, mtime: '2024-01-31T12:00:00Z', hash: 'abc', etag: '"abc"', format: 'json' }),
    ).toMatchObject({ format: 'json' });
    expect(MetadataCollectionInfoSchema.parse({ type: 'object', count: 3, namespaces: ['crm'] }).count).toBe(3);
    expect(MetadataCollectionInfoSchema.safeParse({ type: 'object', count: -1, namespaces: [] }).success).toBe(false);
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
