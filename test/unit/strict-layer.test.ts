import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  DatasourceSchema,
  describeIssues,
  MetadataCollectionInfoSchema,
  MetadataFormatSchema,
  MetadataIsolationLevelSchema,
  MetadataLoaderContractSchema,
  MetadataLoadResultSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  MetadataStatsSchema,
  MetadataWatchEventSchema,
  SqlIdentifierSchema,
  StrictMetadataBulkOperationSchema,
  StrictMetadataDatasourceConfigSchema,
  StrictMetadataDriverConfigSchema,
  StrictMetadataExportOptionsSchema,
  StrictMetadataImportOptionsSchema,
  StrictMetadataLoaderContractSchema,
  StrictMetadataLoadOptionsSchema,
  StrictMetadataMigrationOperationSchema,
  StrictMetadataQueryFiltersSchema,
  StrictMetadataQueryOptionsSchema,
  StrictMetadataRecordSchema,
  StrictMetadataSaveOptionsSchema,
  StrictMetadataTableSchemaSchema,
} from '../../src/protocol/index.js';

/*
 * metaledger's strict layer: what its operations check on top of the protocol-named schemas (which
 * parse like the reference, see protocol-compatibility.test.ts). Each check here is one the store,
 * driver or loaders apply before they act, and each refusal names the field.
 */

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
    expect(StrictMetadataRecordSchema.parse({ name: 'account', type: 'object', metadata: {} })).toEqual({
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
    // as in the protocol: schema, cache and queryOptions stay unset (the store's are used)
    expect(StrictMetadataDatasourceConfigSchema.parse({ datasource: 'metadata_db' })).toEqual({
      datasource: 'metadata_db',
      table: '_framework_metadata',
      autoMigrate: true,
    });
    expect(StrictMetadataDatasourceConfigSchema.parse({ datasource: 'metadata_db', cache: {}, queryOptions: {} })).toMatchObject({
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
    expect(StrictMetadataLoadOptionsSchema.parse({})).toEqual({});
    expect(MetadataLoadResultSchema.parse({ data: null })).toEqual({ data: null });
    expect(StrictMetadataLoadOptionsSchema.parse({ sort: [{ field: 'updatedAt' }] }).sort).toEqual([{ field: 'updatedAt', order: 'asc' }]);
  });

  it('save options and result', () => {
    expect(StrictMetadataSaveOptionsSchema.parse({})).toEqual({ create: true, overwrite: true, onConflict: 'update' });
    // `enabled` defaults to false, as in the protocol; an isolation level given is kept (and used)
    expect(StrictMetadataSaveOptionsSchema.parse({ transaction: {} }).transaction).toEqual({ enabled: false });
    expect(StrictMetadataSaveOptionsSchema.parse({ transaction: { isolationLevel: 'serializable' } }).transaction).toEqual({
      enabled: false,
      isolationLevel: 'serializable',
    });
    expect(issuesOf(StrictMetadataSaveOptionsSchema, { transaction: { enabled: false, isolationLevel: 'serializable' } })).toEqual([
      { path: 'transaction.isolationLevel', message: 'an isolation level needs a transaction: enabled is false' },
    ]);
    const withAudit = StrictMetadataSaveOptionsSchema.parse({
      actor: 'alice',
      reason: 'rename label',
      correlationId: 'req-1',
      expectedVersion: 3,
    });
    expect(withAudit).toMatchObject({ actor: 'alice', reason: 'rename label', correlationId: 'req-1', expectedVersion: 3 });
  });

  it('export / import options', () => {
    expect(StrictMetadataExportOptionsSchema.parse({ output: 'out.json' })).toEqual({ output: 'out.json', format: 'json' });
    expect(StrictMetadataImportOptionsSchema.parse({ source: 'in.json' })).toEqual({
      source: 'in.json',
      strategy: 'merge',
      validate: true,
    });
  });

  it('table schema', () => {
    expect(StrictMetadataTableSchemaSchema.parse({})).toEqual({
      name: '_framework_metadata',
      primaryKey: 'id',
      indexes: [],
      columnMapping: {},
    });
    expect(StrictMetadataTableSchemaSchema.parse({ indexes: [{ name: 'idx_type', fields: ['type'] }] }).indexes).toEqual([
      { name: 'idx_type', fields: ['type'], unique: false, type: 'btree' },
    ]);
  });

  it('driver config', () => {
    expect(StrictMetadataDriverConfigSchema.parse({ datasource: 'metadata_db' })).toEqual({
      datasource: 'metadata_db',
      tableSchema: {
        name: '_framework_metadata',
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
    expect(StrictMetadataQueryOptionsSchema.parse({})).toEqual({ filters: {}, includeArchived: false });
    expect(StrictMetadataQueryOptionsSchema.parse({ pagination: {}, sort: [{ field: 'metadata.label' }] })).toEqual({
      filters: {},
      includeArchived: false,
      pagination: { page: 1, pageSize: 100 },
      sort: [{ field: 'metadata.label', order: 'asc' }],
    });
  });

  it('bulk operation', () => {
    const op = StrictMetadataBulkOperationSchema.parse({
      operation: 'create',
      records: [{ name: 'account', type: 'object', metadata: {} }],
    });
    expect(op.batch).toEqual({ size: 100, parallel: false, continueOnError: false });
    expect(op.transactional).toBe(true);
  });

  it('bulk delete needs only type and name', () => {
    const op = StrictMetadataBulkOperationSchema.parse({
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
    expect(messages(StrictMetadataBulkOperationSchema, { operation: 'update', records: [{ type: 'object', name: 'a' }] })).toMatch(
      /records\.0\.metadata: metadata is required/,
    );
  });

  it('migration operation', () => {
    expect(StrictMetadataMigrationOperationSchema.parse({ type: 'create', table: '_framework_metadata' })).toEqual({
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
    ['record.scope', StrictMetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, scope: 'global' }],
    ['record.state', StrictMetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, state: 'gone' }],
    ['record.strategy', StrictMetadataRecordSchema, { name: 'a', type: 'object', metadata: {}, strategy: 'append' }],
    ['bulk operation', StrictMetadataBulkOperationSchema, { operation: 'merge', records: [{ type: 'object', name: 'a' }] }],
    ['migration type', StrictMetadataMigrationOperationSchema, { type: 'truncate' }],
    ['save onConflict', StrictMetadataSaveOptionsSchema, { onConflict: 'overwrite' }],
    ['save isolation', StrictMetadataSaveOptionsSchema, { transaction: { isolationLevel: 'snapshot' } }],
    ['driver isolation', StrictMetadataDriverConfigSchema, { datasource: 'db', transaction: { defaultIsolation: 'snapshot' } }],
    ['import strategy', StrictMetadataImportOptionsSchema, { source: 'x', strategy: 'upsert' }],
    ['export format', StrictMetadataExportOptionsSchema, { output: 'x', format: 'typescript' }],
    ['loader protocol', StrictMetadataLoaderContractSchema, { name: 'x', protocol: 'ftp:' }],
    ['export format', StrictMetadataExportOptionsSchema, { output: 'x', format: 'typescript' }],
    ['save format', StrictMetadataSaveOptionsSchema, { format: 'js' }],
    ['index type', StrictMetadataTableSchemaSchema, { indexes: [{ name: 'i', fields: ['a'], type: 'brin' }] }],
    ['sslMode', DatasourceSchema, { name: 'db', config: { sslMode: 'always' } }],
    ['watch event type', MetadataWatchEventSchema, { type: 'moved', path: 'object/a', timestamp: '2024-01-01T00:00:00Z' }],
    ['sort order', StrictMetadataQueryOptionsSchema, { sort: [{ field: 'name', order: 'up' }] }],
    ['filter scope', StrictMetadataQueryFiltersSchema, { scope: 'global' }],
    ['filter state list', StrictMetadataQueryFiltersSchema, { state: ['active', 'gone'] }],
  ];
  it.each(cases)('%s', (_label, schema, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it('filter enum errors point at the bad value', () => {
    const issues = issuesOf(StrictMetadataQueryFiltersSchema, { state: ['active', 'gone'] });
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
    expect(messages(StrictMetadataTableSchemaSchema, { name: 'x; drop table y' })).toContain(
      `name: "x; drop table y" ${SQL_IDENTIFIER_TEXT}`,
    );
    expect(messages(StrictMetadataDatasourceConfigSchema, { datasource: 'db', table: 'x; drop table y' })).toContain(
      `table: "x; drop table y" ${SQL_IDENTIFIER_TEXT}`,
    );
    expect(messages(StrictMetadataMigrationOperationSchema, { type: 'drop', table: 'x; drop table y' })).toContain(SQL_IDENTIFIER_TEXT);
  });

  it('every configured SQL name is checked', () => {
    const bad = 'bad-name';
    const inputs: [z.ZodTypeAny, unknown, string][] = [
      [StrictMetadataTableSchemaSchema, { schema: bad }, 'schema'],
      [StrictMetadataTableSchemaSchema, { primaryKey: bad }, 'primaryKey'],
      [StrictMetadataTableSchemaSchema, { indexes: [{ name: bad, fields: ['a'] }] }, 'indexes.0.name'],
      [StrictMetadataTableSchemaSchema, { indexes: [{ name: 'i', fields: ['a', bad] }] }, 'indexes.0.fields.1'],
      [StrictMetadataTableSchemaSchema, { columnMapping: { owner: bad } }, 'columnMapping.owner'],
      [StrictMetadataDatasourceConfigSchema, { datasource: 'db', schema: bad }, 'schema'],
      [StrictMetadataMigrationOperationSchema, { type: 'backup', backupName: bad }, 'backupName'],
      [StrictMetadataMigrationOperationSchema, { type: 'create', schema: bad }, 'schema'],
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
    expect(messages(StrictMetadataTableSchemaSchema, { columnMapping: { colour: 'c' } })).toMatch(
      /columnMapping\.colour: Unrecognized key\(s\) in object: 'colour'/,
    );
  });

  it('duplicate index names are rejected', () => {
    expect(
      messages(StrictMetadataTableSchemaSchema, {
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
      /config\.ssl\.rejectUnauthorised: Unrecognized key\(s\) in object: 'rejectUnauthorised'/,
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
      expect(messages(StrictMetadataRecordSchema, { ...base, metadata })).toMatch(/metadata: metadata must be a JSON object/);
    }
    expect(messages(StrictMetadataRecordSchema, base)).toMatch(/metadata: metadata is required/);
  });

  it('a name is never silently changed, and is checked', () => {
    // no trimming: a name with surrounding blanks is kept as given or refused, never turned into another
    const padded = StrictMetadataRecordSchema.safeParse({ ...base, name: '  account ', metadata: {} });
    expect(padded.success ? padded.data.name : 'refused').not.toBe('account');
    expect(messages(StrictMetadataRecordSchema, { ...base, name: '', metadata: {} })).toMatch(/name: name must not be empty/);
    expect(messages(StrictMetadataRecordSchema, { ...base, name: 'a/b', metadata: {} })).toMatch(/'\/' or control characters/);
    expect(messages(StrictMetadataRecordSchema, { ...base, name: 'a\nb', metadata: {} })).toMatch(/control characters/);
    expect(StrictMetadataRecordSchema.safeParse({ ...base, name: 'x'.repeat(256), metadata: {} }).success).toBe(false);
    expect(StrictMetadataRecordSchema.safeParse({ ...base, type: 'x'.repeat(101), metadata: {} }).success).toBe(false);
  });

  it('datetimes must be ISO 8601', () => {
    expect(
      StrictMetadataRecordSchema.parse({ ...base, metadata: {}, createdAt: '2024-01-31T12:00:00Z', updatedAt: '2024-01-31T13:00:00+02:00' })
        .updatedAt,
    ).toBe('2024-01-31T13:00:00+02:00');
    for (const createdAt of ['yesterday', '2024-13-01T00:00:00Z', '2024-01-31', 1706702400000]) {
      expect(messages(StrictMetadataRecordSchema, { ...base, metadata: {}, createdAt })).toMatch(/^createdAt: /);
    }
    expect(MetadataStatsSchema.safeParse({ size: 1, mtime: 'not a date', hash: 'h', etag: 'e' }).success).toBe(false);
    expect(MetadataWatchEventSchema.safeParse({ type: 'added', metadataType: 'object', name: 'a', timestamp: '31/01/2024' }).success).toBe(
      false,
    );
  });

  it('version is a non-negative integer', () => {
    expect(StrictMetadataRecordSchema.safeParse({ ...base, metadata: {}, version: -1 }).success).toBe(false);
    expect(StrictMetadataRecordSchema.safeParse({ ...base, metadata: {}, version: 1.5 }).success).toBe(false);
    expect(StrictMetadataRecordSchema.parse({ ...base, metadata: {}, version: 0 }).version).toBe(0);
  });

  it('bulk errors carry the record index', () => {
    const records = [
      { name: 'a', type: 'object', metadata: {} },
      { name: 'b', type: 'object', metadata: {} },
      { name: 'c', type: 'object', metadata: {} },
      { name: 'd', type: 'object', metadata: [] },
    ];
    expect(issuesOf(StrictMetadataBulkOperationSchema, { operation: 'create', records })).toEqual([
      { path: 'records.3.metadata', message: 'metadata must be a JSON object (not an array, null or a primitive)' },
    ]);
    // an empty batch is a no-op, not an error (batch code may produce one)
    expect(StrictMetadataBulkOperationSchema.parse({ operation: 'create', records: [] }).records).toEqual([]);
  });
});

describe('query filters and options', () => {
  it('custom filters accept values and operators, normalised to operator form', () => {
    const filters = StrictMetadataQueryFiltersSchema.parse({
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
    expect(StrictMetadataQueryFiltersSchema.parse({ custom: { options: { a: 1 } } }).custom).toEqual({
      options: { $eq: { a: 1 } },
    });
  });

  it('unknown operator is rejected with the operator named', () => {
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { 'fields.amount': { $regex: '^a' } } })).toMatch(
      /custom\.fields\.amount\.\$regex: unknown filter operator '\$regex'/,
    );
  });

  it('operator value types are checked', () => {
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { a: { $in: 'x' } } })).toMatch(/\$in needs an array/);
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { a: { $nin: 1 } } })).toMatch(/\$nin needs an array/);
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { a: { $exists: 'yes' } } })).toMatch(/\$exists needs true or false/);
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { a: { $like: 5 } } })).toMatch(/\$like needs a string/);
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { a: { $eq: 1, b: 2 } } })).toMatch(/'b' cannot be mixed with operators/);
  });

  it('custom filter paths are validated', () => {
    expect(messages(StrictMetadataQueryFiltersSchema, { custom: { "a'; drop": 1 } })).toMatch(/is not a valid JSON path/);
  });

  it('filters are strict and lists must be non-empty', () => {
    expect(messages(StrictMetadataQueryFiltersSchema, { kind: 'object' })).toMatch(/Unrecognized key\(s\) in object: 'kind'/);
    expect(messages(StrictMetadataQueryFiltersSchema, { type: [] })).toMatch(/type: type array must not be empty/);
    expect(StrictMetadataQueryFiltersSchema.parse({ owner: 'alice', name: ['a', 'b'] })).toEqual({
      owner: 'alice',
      name: ['a', 'b'],
    });
  });

  it('pagination bounds', () => {
    expect(messages(StrictMetadataQueryOptionsSchema, { pagination: { pageSize: 1001 } })).toMatch(/^pagination\.pageSize: /);
    expect(messages(StrictMetadataQueryOptionsSchema, { pagination: { page: 0 } })).toMatch(/^pagination\.page: /);
    expect(StrictMetadataQueryOptionsSchema.parse({ pagination: { pageSize: 1000 } }).pagination).toEqual({
      page: 1,
      pageSize: 1000,
    });
  });

  it('sort and select fields are restricted', () => {
    expect(messages(StrictMetadataQueryOptionsSchema, { sort: [{ field: 'password' }] })).toMatch(
      /sort\.0\.field: cannot sort by "password"/,
    );
    expect(messages(StrictMetadataQueryOptionsSchema, { select: ['name', 'secret'] })).toMatch(/select\.1: cannot select "secret"/);
    expect(StrictMetadataQueryOptionsSchema.safeParse({ sort: [{ field: 'metadata' }] }).success).toBe(false);
    expect(StrictMetadataQueryOptionsSchema.safeParse({ select: ['metadata.fields.amount', 'version'] }).success).toBe(true);
    expect(messages(StrictMetadataLoadOptionsSchema, { sort: { field: 'nope' } })).toMatch(/sort\.field: cannot sort by "nope"/);
  });
});

describe('other schemas', () => {
  it('alter migrations need a script', () => {
    expect(issuesOf(StrictMetadataMigrationOperationSchema, { type: 'alter', table: 'metadata' })).toEqual([
      { path: 'script', message: "an 'alter' migration needs a script: it has nothing else to run" },
    ]);
  });

  it('a loader contract: supports* flags agree with the capabilities', () => {
    expect(issuesOf(StrictMetadataLoaderContractSchema, { name: 'x', protocol: 'file:', supportsWrite: true })).toEqual([
      { path: 'supportsWrite', message: 'true contradicts capabilities.write: false' },
    ]);
    expect(
      StrictMetadataLoaderContractSchema.parse({ name: 'x', protocol: 'file:', supportsWatch: true, capabilities: { watch: true } })
        .supportsWatch,
    ).toBe(true);
  });

  it('driver config ranges', () => {
    expect(StrictMetadataDriverConfigSchema.safeParse({ datasource: 'db', performance: { batchSize: 0 } }).success).toBe(false);
    expect(StrictMetadataDriverConfigSchema.safeParse({ datasource: 'db', transaction: { maxRetries: 101 } }).success).toBe(false);
    expect(StrictMetadataDriverConfigSchema.safeParse({ datasource: 'db', query: { defaultPageSize: 1001 } }).success).toBe(false);
    expect(StrictMetadataDriverConfigSchema.safeParse({ datasource: 'db', transaction: { timeout: 0 } }).success).toBe(false);
  });

  it('watch events, stats and collection info', () => {
    const event = {
      type: 'changed',
      path: 'object/account',
      metadataType: 'object',
      name: 'account',
      timestamp: '2024-01-31T12:00:00.123Z',
    };
    // a loader's richer fields (the change-feed position) sit beside the protocol's, which keeps only its own
    expect(MetadataWatchEventSchema.parse({ ...event, position: '42' })).toEqual(event);
    expect(
      MetadataStatsSchema.parse({ size: 10, mtime: '2024-01-31T12:00:00Z', hash: 'abc', etag: '"abc"', format: 'json' }),
    ).toMatchObject({ format: 'json' });
    expect(MetadataCollectionInfoSchema.parse({ type: 'object', count: 3, namespaces: ['crm'] }).count).toBe(3);
    expect(MetadataCollectionInfoSchema.safeParse({ type: 'object', count: '3', namespaces: [] }).success).toBe(false);
  });
});
