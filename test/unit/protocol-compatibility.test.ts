import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  MetadataBulkOperationSchema,
  MetadataCollectionInfoSchema,
  MetadataDatasourceConfigSchema,
  MetadataDriverConfigSchema,
  MetadataExportOptionsSchema,
  MetadataFormatSchema,
  MetadataImportOptionsSchema,
  MetadataLoadOptionsSchema,
  MetadataLoadResultSchema,
  MetadataLoaderContractSchema,
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
} from '../../src/protocol/index.js';

/**
 * The protocol-named schemas parse like the reference implementation's (the persistence and driver
 * schemas the Metadata Datasource Protocol builds on): every input the reference accepts is accepted
 * and parsed to the same value, defaults included, and what the reference refuses is refused. The
 * cases follow the reference's published test suite, each stated with the whole parsed value.
 */
interface Case {
  /** What the case shows. */
  title: string;
  input: unknown;
  /** The whole parsed value, or 'refused'. */
  parsesTo: unknown;
}

function check(schema: z.ZodTypeAny, cases: Case[]): void {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, { input, parsesTo }) => {
    const result = schema.safeParse(input);
    if (parsesTo === 'refused') expect(result.success).toBe(false);
    else expect(result.success ? result.data : result.error.issues).toEqual(parsesTo);
  });
}

const accepts = (title: string, input: unknown, parsesTo: unknown = input): Case => ({ title, input, parsesTo });
const refuses = (title: string, input: unknown): Case => ({ title, input, parsesTo: 'refused' });
const each = <T>(values: T[], make: (value: T) => Case): Case[] => values.map(make);

const CAPABILITY_DEFAULTS = { read: true, write: false, watch: false, list: true };
const ISOLATION_LEVELS = ['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable'];

describe('MetadataScopeSchema', () => {
  check(MetadataScopeSchema, [
    ...each(['system', 'platform', 'user'], (scope) => accepts(`scope ${scope}`, scope)),
    refuses('an unknown scope', 'global'),
    refuses('another unknown scope', 'tenant'),
  ]);
});

describe('MetadataStateSchema', () => {
  check(MetadataStateSchema, [
    ...each(['draft', 'active', 'archived', 'deprecated'], (state) => accepts(`state ${state}`, state)),
    refuses('an unknown state', 'removed'),
  ]);
});

describe('MetadataRecordSchema', () => {
  const full = {
    id: 'rec-7',
    name: 'lead_form',
    type: 'form',
    namespace: 'sales',
    scope: 'user',
    metadata: { fields: ['email'] },
    extends: 'base_form',
    strategy: 'replace',
    owner: 'u-9',
    state: 'deprecated',
    createdBy: 'ops',
    createdAt: '2025-03-01T08:00:00Z',
    updatedBy: 'ops',
    updatedAt: '2025-03-02T08:00:00Z',
  };
  check(MetadataRecordSchema, [
    accepts(
      'the envelope defaults are filled in',
      { id: 'rec-1', name: 'lead_form', type: 'form', metadata: { fields: ['email'] } },
      {
        id: 'rec-1',
        name: 'lead_form',
        type: 'form',
        namespace: 'default',
        scope: 'platform',
        metadata: { fields: ['email'] },
        strategy: 'merge',
        state: 'active',
      },
    ),
    accepts('every field given is kept', full),
    accepts('a name is kept exactly as given (no trimming)', { ...full, name: ' padded ' }),
    accepts('names and types the reference takes as plain strings', { ...full, name: 'a/b', type: '' }),
    accepts('a payload of any values', { ...full, metadata: { nested: { list: [1, 'two', null] } } }),
    refuses('nothing at all', {}),
    refuses('only an id', { id: 'x' }),
    refuses('no metadata', { id: 'x', name: 'y', type: 'z' }),
    refuses('a createdAt that is not a date-time', { id: 'x', name: 'y', type: 'z', metadata: {}, createdAt: 'last tuesday' }),
    refuses('an unknown strategy', { ...full, strategy: 'append' }),
  ]);
});

describe('MetadataFormatSchema', () => {
  check(MetadataFormatSchema, [
    ...each(['json', 'yaml', 'yml', 'ts', 'js', 'typescript', 'javascript'], (format) => accepts(`format ${format}`, format)),
    refuses('an unknown format', 'toml'),
  ]);
});

describe('MetadataStatsSchema', () => {
  check(MetadataStatsSchema, [
    accepts('every field may be absent', {}),
    accepts('every field given is kept', {
      path: '/defs/form.yaml',
      size: 2048,
      mtime: '2025-03-01T08:00:00Z',
      hash: 'sha256:def',
      etag: '"def456"',
      modifiedAt: '2025-03-01T08:00:00Z',
      format: 'yaml',
    }),
    accepts('a size alone', { size: 7 }),
    refuses('an mtime that is not a date-time', { mtime: 'yesterday' }),
  ]);
});

describe('MetadataLoaderContractSchema', () => {
  check(MetadataLoaderContractSchema, [
    accepts(
      'capability defaults',
      { name: 'files', protocol: 'file:', capabilities: {} },
      { name: 'files', protocol: 'file:', capabilities: CAPABILITY_DEFAULTS },
    ),
    accepts('the supported formats and the supports* flags are kept', {
      name: 'remote',
      protocol: 'http:',
      description: 'reads over HTTP',
      supportedFormats: ['json', 'yml'],
      supportsWatch: false,
      supportsWrite: true,
      supportsCache: true,
      capabilities: { read: true, write: true, watch: false, list: true },
    }),
    accepts('a protocol the reference takes as a plain string', {
      name: 'bucket',
      protocol: 'git:',
      capabilities: { read: true, write: false, watch: false, list: true },
    }),
    accepts(
      'a datasourceConfig, with its own defaults',
      {
        name: 'db',
        protocol: 'database:',
        capabilities: { read: true, write: true, watch: false, list: true },
        datasourceConfig: { datasource: 'main', table: 'meta' },
      },
      {
        name: 'db',
        protocol: 'database:',
        capabilities: { read: true, write: true, watch: false, list: true },
        datasourceConfig: { datasource: 'main', table: 'meta', autoMigrate: true },
      },
    ),
    accepts('no datasourceConfig', {
      name: 'files',
      protocol: 'file:',
      capabilities: { read: true, write: true, watch: true, list: true },
    }),
    refuses('nothing at all', {}),
    refuses('a name alone', { name: 'x' }),
  ]);
});

describe('MetadataDatasourceConfigSchema', () => {
  check(MetadataDatasourceConfigSchema, [
    refuses('no datasource', {}),
    accepts(
      'table and autoMigrate defaults; schema, cache and queryOptions stay absent',
      { datasource: 'main_db' },
      { datasource: 'main_db', table: '_framework_metadata', autoMigrate: true },
    ),
    accepts(
      'a custom table',
      { datasource: 'main_db', table: 'meta_store' },
      { datasource: 'main_db', table: 'meta_store', autoMigrate: true },
    ),
    accepts(
      'a schema',
      { datasource: 'main_db', schema: 'tenant_a' },
      { datasource: 'main_db', table: '_framework_metadata', schema: 'tenant_a', autoMigrate: true },
    ),
    accepts(
      'a whole cache section',
      { datasource: 'main_db', cache: { enabled: false, ttlSeconds: 60, invalidateOnWrite: false } },
      {
        datasource: 'main_db',
        table: '_framework_metadata',
        autoMigrate: true,
        cache: { enabled: false, ttlSeconds: 60, invalidateOnWrite: false },
      },
    ),
    accepts(
      'cache defaults',
      { datasource: 'main_db', cache: {} },
      {
        datasource: 'main_db',
        table: '_framework_metadata',
        autoMigrate: true,
        cache: { enabled: true, ttlSeconds: 3600, invalidateOnWrite: true },
      },
    ),
    accepts(
      'whole query options',
      { datasource: 'main_db', queryOptions: { batchSize: 25, useIndexes: false, parallelLoad: true } },
      {
        datasource: 'main_db',
        table: '_framework_metadata',
        autoMigrate: true,
        queryOptions: { batchSize: 25, useIndexes: false, parallelLoad: true },
      },
    ),
    accepts(
      'query option defaults',
      { datasource: 'main_db', queryOptions: {} },
      {
        datasource: 'main_db',
        table: '_framework_metadata',
        autoMigrate: true,
        queryOptions: { batchSize: 100, useIndexes: true, parallelLoad: false },
      },
    ),
  ]);
});

describe('MetadataLoadOptionsSchema', () => {
  check(MetadataLoadOptionsSchema, [
    accepts('nothing is defaulted', {}),
    accepts('every file-loader option is kept', {
      scope: 'system',
      namespace: 'sales',
      raw: false,
      cache: false,
      useCache: false,
      validate: false,
      ifNoneMatch: '"etag-9"',
      recursive: false,
      limit: 20,
      patterns: ['*.form.yaml'],
      loader: 'files',
    }),
    accepts('a datasource', { datasource: 'main_db' }),
    accepts('filters as given', { datasource: 'main_db', filters: { type: 'form', namespace: 'sales' } }),
    accepts('filters the reference takes as an open record', { filters: { anything: [1, 2] } }),
    accepts('a sort', { sort: { field: 'name', order: 'desc' } }),
    accepts('the default sort order', { sort: { field: 'updatedAt' } }, { sort: { field: 'updatedAt', order: 'asc' } }),
    refuses('a sort order that is not asc or desc', { sort: { field: 'name', order: 'up' } }),
  ]);
});

describe('MetadataLoadResultSchema', () => {
  check(MetadataLoadResultSchema, [
    accepts('data alone (nothing is defaulted)', { data: null }),
    accepts('every field given is kept', {
      data: { name: 'lead_form' },
      stats: { size: 12 },
      format: 'yml',
      source: '/defs/lead_form.yml',
      fromCache: false,
      etag: '"e1"',
      notModified: true,
      loadTime: 3.5,
    }),
  ]);
});

describe('MetadataSaveOptionsSchema', () => {
  const defaults = { create: true, overwrite: true, onConflict: 'update' };
  check(MetadataSaveOptionsSchema, [
    accepts('defaults', {}, defaults),
    accepts('formatting options are kept', {
      format: 'yml',
      create: false,
      overwrite: false,
      path: '/defs/out.yml',
      prettify: false,
      indent: 4,
      sortKeys: false,
      backup: false,
      atomic: false,
      loader: 'files',
      onConflict: 'skip',
    }),
    accepts('a datasource', { datasource: 'main_db' }, { ...defaults, datasource: 'main_db' }),
    accepts(
      'a transaction',
      { transaction: { enabled: true, isolationLevel: 'serializable' } },
      { ...defaults, transaction: { enabled: true, isolationLevel: 'serializable' } },
    ),
    ...each(ISOLATION_LEVELS, (isolationLevel) =>
      accepts(
        `isolation level ${isolationLevel} (a transaction is off unless enabled)`,
        { transaction: { isolationLevel } },
        {
          ...defaults,
          transaction: { enabled: false, isolationLevel },
        },
      ),
    ),
    ...each(['error', 'skip', 'update', 'replace'], (onConflict) =>
      accepts(`onConflict ${onConflict}`, { onConflict }, { ...defaults, onConflict }),
    ),
    refuses('an unknown onConflict', { onConflict: 'merge' }),
    refuses('an unknown isolation level', { transaction: { isolationLevel: 'snapshot' } }),
  ]);
});

describe('MetadataSaveResultSchema', () => {
  check(MetadataSaveResultSchema, [
    accepts('success alone', { success: true }),
    accepts('every field given is kept, the backup path included', {
      success: true,
      path: '/defs/out.json',
      stats: { size: 30 },
      etag: '"z"',
      size: 30,
      saveTime: 1.25,
      backupPath: '/defs/out.json.bak',
    }),
    refuses('no success', {}),
  ]);
});

describe('MetadataWatchEventSchema', () => {
  check(MetadataWatchEventSchema, [
    ...each(['add', 'change', 'unlink', 'added', 'changed', 'deleted'], (type) => accepts(`event type ${type}`, { type, path: '/defs' })),
    accepts('every field given is kept', {
      type: 'unlink',
      path: '/defs/form.json',
      name: 'lead_form',
      stats: { size: 40 },
      metadataType: 'form',
      data: { fields: [] },
      timestamp: '2025-03-01T08:00:00Z',
    }),
    refuses('an unknown event type', { type: 'rename', path: '/defs' }),
    refuses('no path', { type: 'change' }),
  ]);
});

describe('MetadataCollectionInfoSchema', () => {
  check(MetadataCollectionInfoSchema, [
    accepts('a collection', { type: 'form', count: 4, namespaces: ['sales', 'hr'] }),
    refuses('nothing at all', {}),
    refuses('a type alone', { type: 'form' }),
  ]);
});

describe('MetadataExportOptionsSchema', () => {
  check(MetadataExportOptionsSchema, [
    accepts('the default format', { output: '/backup' }, { output: '/backup', format: 'json' }),
    accepts('every field given is kept', { types: ['form'], namespaces: ['sales'], output: '/backup/sales', format: 'yml' }),
    refuses('no output', {}),
  ]);
});

describe('MetadataImportOptionsSchema', () => {
  check(MetadataImportOptionsSchema, [
    accepts('defaults', { source: '/backup' }, { source: '/backup', strategy: 'merge', validate: true }),
    ...each(['merge', 'replace', 'skip'], (strategy) =>
      accepts(`strategy ${strategy}`, { source: '/in', strategy }, { source: '/in', strategy, validate: true }),
    ),
    refuses('no source', {}),
  ]);
});

describe('MetadataManagerConfigSchema', () => {
  check(MetadataManagerConfigSchema, [
    accepts('nothing is defaulted', {}),
    accepts('a whole configuration, loaders given by name only', {
      loaders: [{ name: 'files' }],
      watch: true,
      cache: false,
      basePath: '/srv/defs',
      rootDir: '/srv',
      formats: ['yml', 'json'],
      watchOptions: { ignoreInitial: true },
    }),
    refuses('an unknown format', { formats: ['toml'] }),
  ]);
});

describe('MetadataTableSchemaSchema', () => {
  const columns = {
    id: 'id',
    name: 'name',
    type: 'type',
    namespace: 'namespace',
    scope: 'scope',
    metadata: 'metadata',
    extends: 'extends',
    strategy: 'strategy',
    owner: 'owner',
    state: 'state',
    createdBy: 'created_by',
    createdAt: 'created_at',
    updatedBy: 'updated_by',
    updatedAt: 'updated_at',
  };
  check(MetadataTableSchemaSchema, [
    accepts('name and primary key defaults', {}, { name: '_framework_metadata', primaryKey: 'id' }),
    accepts(
      'a custom table; unique defaults to false, the index type stays absent',
      {
        name: 'meta_store',
        schema: 'tenant_a',
        primaryKey: 'uid',
        indexes: [
          { name: 'idx_kind', fields: ['type'], unique: true },
          { name: 'idx_space', fields: ['namespace'] },
        ],
      },
      {
        name: 'meta_store',
        schema: 'tenant_a',
        primaryKey: 'uid',
        indexes: [
          { name: 'idx_kind', fields: ['type'], unique: true },
          { name: 'idx_space', fields: ['namespace'], unique: false },
        ],
      },
    ),
    accepts(
      'a partial column mapping is completed with the default column names',
      { columnMapping: { id: 'meta_id', state: 'status' } },
      { name: '_framework_metadata', primaryKey: 'id', columnMapping: { ...columns, id: 'meta_id', state: 'status' } },
    ),
    ...each(['btree', 'hash', 'gin', 'gist'], (type) =>
      accepts(
        `index type ${type}`,
        { indexes: [{ name: 'idx', fields: ['f'], type }] },
        {
          name: '_framework_metadata',
          primaryKey: 'id',
          indexes: [{ name: 'idx', fields: ['f'], unique: false, type }],
        },
      ),
    ),
    refuses('an unknown index type', { indexes: [{ name: 'idx', fields: ['f'], type: 'brin' }] }),
  ]);
});

describe('MetadataDriverConfigSchema', () => {
  const sections = {
    tableSchema: { name: 'meta_store', schema: 'tenant_a' },
    migration: { autoMigrate: false, dropOnMigrate: false, backupBeforeMigrate: true },
    performance: { batchSize: 250, enableCache: false, cacheTtlSeconds: 60, prefetchOnInit: false, parallelLoad: true },
    transaction: { defaultIsolation: 'repeatable_read', timeout: 5000, retryOnConflict: false, maxRetries: 1 },
    query: { useIndexes: false, maxResultSize: 500, enablePagination: false, defaultPageSize: 20 },
  };
  check(MetadataDriverConfigSchema, [
    refuses('no datasource', {}),
    accepts('a datasource alone (no section is defaulted)', { datasource: 'main_db' }),
    accepts(
      'every section given is kept',
      { datasource: 'main_db', ...sections },
      { datasource: 'main_db', ...sections, tableSchema: { ...sections.tableSchema, primaryKey: 'id' } },
    ),
    ...each(ISOLATION_LEVELS, (defaultIsolation) =>
      accepts(
        `isolation level ${defaultIsolation}`,
        { datasource: 'db', transaction: { defaultIsolation } },
        {
          datasource: 'db',
          transaction: { defaultIsolation, timeout: 30000, retryOnConflict: true, maxRetries: 3 },
        },
      ),
    ),
    accepts(
      'the defaults inside each section',
      { datasource: 'db', migration: {}, performance: {}, transaction: {}, query: {} },
      {
        datasource: 'db',
        migration: { autoMigrate: true, dropOnMigrate: false, backupBeforeMigrate: true },
        performance: { batchSize: 100, enableCache: true, cacheTtlSeconds: 3600, prefetchOnInit: true, parallelLoad: false },
        transaction: { defaultIsolation: 'read_committed', timeout: 30000, retryOnConflict: true, maxRetries: 3 },
        query: { useIndexes: true, enablePagination: true, defaultPageSize: 100 },
      },
    ),
    refuses('an unknown isolation level', { datasource: 'db', transaction: { defaultIsolation: 'snapshot' } }),
  ]);
});

describe('MetadataQueryFiltersSchema', () => {
  check(MetadataQueryFiltersSchema, [
    accepts('no filters', {}),
    accepts('one type', { type: 'form' }),
    accepts('several types', { type: ['form', 'view', 'flow'] }),
    accepts('several filters together', {
      type: 'form',
      name: ['lead_form', 'case_form'],
      namespace: 'sales',
      scope: 'user',
      state: ['draft', 'deprecated'],
      owner: 'u-9',
    }),
    accepts('custom conditions are kept as given', {
      custom: { 'metadata.version': { $gte: '3.0' }, 'metadata.tags': { $contains: 'beta' }, 'metadata.label': 'Lead' },
    }),
    ...each(['system', 'platform', 'user'], (scope) => accepts(`scope ${scope}`, { scope })),
    refuses('an unknown scope', { scope: 'tenant' }),
    ...each(['draft', 'active', 'archived', 'deprecated'], (state) => accepts(`state ${state}`, { state })),
    refuses('an unknown state', { state: 'removed' }),
  ]);
});

describe('MetadataQueryOptionsSchema', () => {
  check(MetadataQueryOptionsSchema, [
    accepts('no filters are added', {}, { includeArchived: false }),
    accepts(
      'filters',
      { filters: { type: 'form', namespace: 'sales' } },
      { filters: { type: 'form', namespace: 'sales' }, includeArchived: false },
    ),
    accepts(
      'a sort',
      {
        sort: [
          { field: 'name', order: 'desc' },
          { field: 'updatedAt', order: 'asc' },
        ],
      },
      {
        sort: [
          { field: 'name', order: 'desc' },
          { field: 'updatedAt', order: 'asc' },
        ],
        includeArchived: false,
      },
    ),
    accepts('the default sort order', { sort: [{ field: 'type' }] }, { sort: [{ field: 'type', order: 'asc' }], includeArchived: false }),
    accepts('a page', { pagination: { page: 3, pageSize: 25 } }, { pagination: { page: 3, pageSize: 25 }, includeArchived: false }),
    accepts('page defaults', { pagination: {} }, { pagination: { page: 1, pageSize: 100 }, includeArchived: false }),
    refuses('page 0', { pagination: { page: 0 } }),
    refuses('page size 0', { pagination: { pageSize: 0 } }),
    refuses('a page size over 1000', { pagination: { pageSize: 1001 } }),
    accepts('selected fields', { select: ['id', 'type', 'metadata'] }, { select: ['id', 'type', 'metadata'], includeArchived: false }),
    accepts('includeArchived', { includeArchived: true }),
  ]);
});

describe('MetadataBulkOperationSchema', () => {
  check(MetadataBulkOperationSchema, [
    refuses('nothing at all', {}),
    refuses('no records', { operation: 'create' }),
    refuses('no operation', { records: [] }),
    accepts(
      'records are kept as given (no record defaults are added)',
      {
        operation: 'create',
        records: [
          { id: 'a', name: 'lead_form', type: 'form', metadata: {} },
          { id: 'b', name: 'case_form', type: 'form', metadata: {} },
        ],
      },
      {
        operation: 'create',
        records: [
          { id: 'a', name: 'lead_form', type: 'form', metadata: {} },
          { id: 'b', name: 'case_form', type: 'form', metadata: {} },
        ],
        transactional: true,
      },
    ),
    ...each(['create', 'update', 'delete', 'upsert'], (operation) =>
      accepts(`an empty ${operation}`, { operation, records: [] }, { operation, records: [], transactional: true }),
    ),
    refuses('an unknown operation', { operation: 'merge', records: [] }),
    accepts(
      'a batch',
      { operation: 'update', records: [], batch: { size: 10, parallel: true, continueOnError: true } },
      {
        operation: 'update',
        records: [],
        batch: { size: 10, parallel: true, continueOnError: true },
        transactional: true,
      },
    ),
    accepts(
      'batch defaults',
      { operation: 'create', records: [], batch: {} },
      {
        operation: 'create',
        records: [],
        batch: { size: 100, parallel: false, continueOnError: false },
        transactional: true,
      },
    ),
    accepts('transactional off', { operation: 'delete', records: [], transactional: false }),
  ]);
});

describe('MetadataMigrationOperationSchema', () => {
  check(MetadataMigrationOperationSchema, [
    refuses('nothing at all', {}),
    refuses('no table', { type: 'create' }),
    refuses('no type', { table: 'meta_store' }),
    accepts('a type and a table', { type: 'create', table: 'meta_store' }, { type: 'create', table: 'meta_store', dryRun: false }),
    ...each(['create', 'alter', 'drop', 'backup', 'restore'], (type) =>
      accepts(
        `type ${type} (an alter without a script included)`,
        { type, table: 'meta_store' },
        { type, table: 'meta_store', dryRun: false },
      ),
    ),
    refuses('an unknown type', { type: 'truncate', table: 'meta_store' }),
    accepts('scripts', {
      type: 'alter',
      table: 'meta_store',
      script: 'ALTER TABLE meta_store ADD COLUMN rank INTEGER',
      rollbackScript: 'ALTER TABLE meta_store DROP COLUMN rank',
      dryRun: false,
    }),
    accepts('a dry run', { type: 'drop', table: 'meta_store', dryRun: true }),
  ]);
});
