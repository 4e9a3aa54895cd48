import { quoteIdentifier } from '../datasource/identifier.js';
import { ValidationError, type ValidationIssue } from '../errors.js';

/** Logical field → physical column of the `_framework_metadata` projection (MetadataTableSchema.columnMapping). */
export interface FrameworkMetadataColumns {
  id: string;
  name: string;
  type: string;
  namespace: string;
  scope: string;
  metadata: string;
  extends: string;
  strategy: string;
  owner: string;
  state: string;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  version: string;
}

export type FrameworkMetadataField = keyof FrameworkMetadataColumns;

const DEFAULT_TABLE = '_framework_metadata';

export const defaultColumns: FrameworkMetadataColumns = {
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
  version: 'version',
};

/** The protocol's column types (sql/0002), by logical field. */
const columnTypes: Record<FrameworkMetadataField, string> = {
  id: 'VARCHAR(255) NOT NULL',
  name: 'VARCHAR(255) NOT NULL',
  type: 'VARCHAR(100) NOT NULL',
  namespace: "VARCHAR(255) DEFAULT 'default'",
  scope: "VARCHAR(50) DEFAULT 'platform'",
  metadata: 'JSONB NOT NULL',
  extends: 'VARCHAR(255)',
  strategy: "VARCHAR(50) DEFAULT 'merge'",
  owner: 'VARCHAR(255)',
  state: "VARCHAR(50) DEFAULT 'active'",
  createdBy: 'VARCHAR(255)',
  createdAt: 'TIMESTAMP',
  updatedBy: 'VARCHAR(255)',
  updatedAt: 'TIMESTAMP',
  version: 'INTEGER NOT NULL DEFAULT 1',
};

// Fields every projected row has a value for: the only ones a primary key can sit on.
const alwaysSet: ReadonlySet<FrameworkMetadataField> = new Set([
  'id',
  'name',
  'type',
  'namespace',
  'scope',
  'strategy',
  'state',
  'version',
]);
const nonText: ReadonlySet<FrameworkMetadataField> = new Set(['metadata', 'version', 'createdAt', 'updatedAt']);

export type IndexMethod = 'btree' | 'hash' | 'gin' | 'gist';

/** One index of the projection table, ready for CREATE INDEX (every name quoted). */
export interface ProjectionIndex {
  name: string;
  unique: boolean;
  method: IndexMethod;
  /** Key expressions: columns, or to_tsvector(...) where the method has no operator class for the column. */
  keys: string[];
}

export interface FrameworkMetadataTable {
  /** Quoted, schema-qualified table name, safe to place in SQL text. */
  qualifiedName: string;
  /** Unquoted names, for catalog lookups and for naming backups. */
  schema: string;
  name: string;
  /** Quoted column names, by logical field. */
  columns: FrameworkMetadataColumns;
  /** Quoted primary key column. */
  primaryKey: string;
  /** Quoted name of the unique (type, name) constraint the inline upsert relies on. */
  uniqueKeyName: string;
  /** The protocol's indexes, the GIN index on metadata, then the configured ones. */
  indexes: ProjectionIndex[];
}

/** MetadataTableSchema as the store uses it; `schema` defaults to the store's schema. */
export interface ProjectionTableConfig {
  name?: string;
  schema?: string;
  primaryKey?: string;
  columnMapping?: Partial<Record<Exclude<FrameworkMetadataField, 'version'>, string>>;
  indexes?: { name: string; fields: string[]; unique?: boolean; type?: IndexMethod }[];
}

/** Fits `<table>_<suffix>` into PostgreSQL's 63-byte identifier limit instead of letting it truncate silently. */
export function derivedName(table: string, suffix: string): string {
  return `${table.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

// The default table keeps the index names of the protocol's DDL (sql/0002 created them); any other
// table gets names prefixed with its own, so two projections in one schema never share an index name.
function protocolIndexName(table: string, field: string): string {
  return table === DEFAULT_TABLE ? `idx_${field}` : derivedName(table, `${field}_idx`);
}

function resolveField(field: string, columns: FrameworkMetadataColumns): FrameworkMetadataField | undefined {
  // own keys only: an inherited name such as toString is not a field
  if (Object.hasOwn(columns, field)) return field as FrameworkMetadataField;
  return (Object.keys(columns) as FrameworkMetadataField[]).find((key) => columns[key] === field);
}

function keyExpression(method: IndexMethod, field: FrameworkMetadataField, column: string): string | undefined {
  if (method === 'btree' || method === 'hash') return column;
  if (method === 'gin' && field === 'metadata') return column;
  // PostgreSQL has no gin / gist operator class for plain text (or gist for jsonb) without extensions:
  // such an index covers the words of the column, as full-text search uses them.
  if (field === 'metadata' || !nonText.has(field)) return `to_tsvector('simple'::regconfig, ${column})`;
  return undefined;
}

function configuredIndex(
  index: NonNullable<ProjectionTableConfig['indexes']>[number],
  at: number,
  columns: FrameworkMetadataColumns,
  issues: ValidationIssue[],
): ProjectionIndex {
  const method = index.type ?? 'btree';
  const unique = index.unique ?? false;
  const path = `tableSchema.indexes.${at}`;
  if (unique && method !== 'btree')
    issues.push({ path: `${path}.unique`, message: `a ${method} index cannot be unique in PostgreSQL; use btree` });
  if (method === 'hash' && index.fields.length !== 1)
    issues.push({ path: `${path}.fields`, message: 'a hash index covers exactly one field' });
  const keys = index.fields.map((name, i) => {
    const field = resolveField(name, columns);
    const key = field && keyExpression(method, field, quoteIdentifier(columns[field]));
    if (!field) issues.push({ path: `${path}.fields.${i}`, message: `"${name}" is neither a record field nor a mapped column` });
    else if (!key) issues.push({ path: `${path}.fields.${i}`, message: `a ${method} index cannot cover the ${field} column` });
    return key ?? '';
  });
  return { name: quoteIdentifier(index.name, `${path}.name`), unique, method, keys };
}

/**
 * Resolves a table configuration into the physical names the SQL uses. Every identifier is validated
 * and quoted here, so nothing downstream ever places an unchecked name into SQL text.
 */
export function describeTable(config: ProjectionTableConfig = {}, storeSchema = 'public'): FrameworkMetadataTable {
  const name = config.name ?? DEFAULT_TABLE;
  const schema = config.schema ?? storeSchema;
  const raw = { ...defaultColumns, ...config.columnMapping };
  const columns = Object.fromEntries(
    Object.entries(raw).map(([field, column]) => [field, quoteIdentifier(column, `tableSchema.columnMapping.${field}`)]),
  ) as unknown as FrameworkMetadataColumns;
  const issues: ValidationIssue[] = [];
  const physical = Object.values(raw);
  const repeated = physical.find((column, i) => physical.indexOf(column) !== i);
  if (repeated) issues.push({ path: 'tableSchema.columnMapping', message: `two fields map to the column "${repeated}"` });
  const keyField = resolveField(config.primaryKey ?? 'id', raw);
  if (!keyField || !alwaysSet.has(keyField)) {
    issues.push({
      path: 'tableSchema.primaryKey',
      message: `"${config.primaryKey}" must be one of the always-set fields ${[...alwaysSet].join(', ')} (or its mapped column)`,
    });
  }
  const protocol: ProjectionIndex[] = (['namespace', 'type', 'scope', 'state'] as const).map((field) => ({
    name: quoteIdentifier(protocolIndexName(name, field)),
    unique: false,
    method: 'btree',
    keys: [columns[field]],
  }));
  // jsonb_path_ops: smaller and faster than the default operator class, and @> ($contains) is all it serves
  const gin: ProjectionIndex = {
    name: quoteIdentifier(protocolIndexName(name, 'metadata')),
    unique: false,
    method: 'gin',
    keys: [`${columns.metadata} jsonb_path_ops`],
  };
  const configured = (config.indexes ?? []).map((index, at) => configuredIndex(index, at, raw, issues));
  const reserved = new Set([...protocol, gin].map((index) => index.name));
  configured.forEach((index, at) => {
    if (reserved.has(index.name))
      issues.push({ path: `tableSchema.indexes.${at}.name`, message: `${index.name} is the name of one of the protocol's own indexes` });
  });
  if (issues.length > 0) throw new ValidationError(issues, 'invalid table schema');
  return {
    qualifiedName: `${quoteIdentifier(schema, 'tableSchema.schema')}.${quoteIdentifier(name, 'tableSchema.name')}`,
    schema,
    name,
    columns,
    primaryKey: columns[keyField!],
    uniqueKeyName: quoteIdentifier(name === DEFAULT_TABLE ? 'unique_type_name' : derivedName(name, 'type_name_key')),
    indexes: [...protocol, gin, ...configured],
  };
}

/** DDL for the projection as configured; idempotent, so it also runs against an existing table. */
export function createTableSql(table: FrameworkMetadataTable): string {
  const c = table.columns;
  const columnLines = (Object.keys(columnTypes) as FrameworkMetadataField[]).map((field) => `  ${c[field]} ${columnTypes[field]}`);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)};`,
    `CREATE TABLE IF NOT EXISTS ${table.qualifiedName} (`,
    `${columnLines.join(',\n')},`,
    `  PRIMARY KEY (${table.primaryKey}),`,
    `  CONSTRAINT ${table.uniqueKeyName} UNIQUE (${c.type}, ${c.name})`,
    ');',
    ...table.indexes.map(
      (index) =>
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${index.name} ON ${table.qualifiedName} USING ${index.method} (${index.keys.join(', ')});`,
    ),
  ].join('\n');
}
