import { CompiledQuery } from 'kysely';
import { quoteIdentifier } from '../src/datasource/identifier.js';
import { ValidationError, type ValidationIssue } from '../src/errors.js';
import type { ProjectedEvent, ProjectionDefinition } from '../src/projections/projection.js';

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

export const DEFAULT_TABLE = '_framework_metadata';

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
const alwaysSet: ReadonlySet<FrameworkMetadataField> = new Set(['id', 'name', 'type', 'namespace', 'scope', 'strategy', 'state', 'version']);
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
  if (field in columns) return field as FrameworkMetadataField;
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

function configuredIndex(index: NonNullable<ProjectionTableConfig['indexes']>[number], at: number, columns: FrameworkMetadataColumns, issues: ValidationIssue[]): ProjectionIndex {
  const method = index.type ?? 'btree';
  const unique = index.unique ?? false;
  const path = `tableSchema.indexes.${at}`;
  if (unique && method !== 'btree') issues.push({ path: `${path}.unique`, message: `a ${method} index cannot be unique in PostgreSQL; use btree` });
  if (method === 'hash' && index.fields.length !== 1) issues.push({ path: `${path}.fields`, message: 'a hash index covers exactly one field' });
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
    issues.push({ path: 'tableSchema.primaryKey', message: `"${config.primaryKey}" must be one of the always-set fields ${[...alwaysSet].join(', ')} (or its mapped column)` });
  }
  const protocol: ProjectionIndex[] = (['namespace', 'type', 'scope', 'state'] as const).map((field) => ({
    name: quoteIdentifier(protocolIndexName(name, field)),
    unique: false,
    method: 'btree',
    keys: [columns[field]],
  }));
  // jsonb_path_ops: smaller and faster than the default operator class, and @> ($contains) is all it serves
  const gin: ProjectionIndex = { name: quoteIdentifier(protocolIndexName(name, 'metadata')), unique: false, method: 'gin', keys: [`${columns.metadata} jsonb_path_ops`] };
  const configured = (config.indexes ?? []).map((index, at) => configuredIndex(index, at, raw, issues));
  const reserved = new Set([...protocol, gin].map((index) => index.name));
  configured.forEach((index, at) => {
    if (reserved.has(index.name)) issues.push({ path: `tableSchema.indexes.${at}.name`, message: `${index.name} is the name of one of the protocol's own indexes` });
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

/** DDL for the projection as configured, one statement each; idempotent, so it also runs against an existing table. */
export function createTableStatements(table: FrameworkMetadataTable): string[] {
  const c = table.columns;
  const columnLines = (Object.keys(columnTypes) as FrameworkMetadataField[]).map((field) => `  ${c[field]} ${columnTypes[field]}`);
  const createTable = [
    `CREATE TABLE IF NOT EXISTS ${table.qualifiedName} (`,
    `${columnLines.join(',\n')},`,
    `  PRIMARY KEY (${table.primaryKey}),`,
    `  CONSTRAINT ${table.uniqueKeyName} UNIQUE (${c.type}, ${c.name})`,
    ')',
  ].join('\n');
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)}`,
    createTable,
    ...table.indexes.map((index) => `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${index.name} ON ${table.qualifiedName} USING ${index.method} (${index.keys.join(', ')})`),
  ];
}

export function createTableSql(table: FrameworkMetadataTable): string {
  return createTableStatements(table).map((statement) => `${statement};`).join('\n');
}

/**
 * Refills the projection from the log: each live item's current document (metadata_streams), who
 * created it (the first event since its last delete) and who changed it last — what the inline
 * projection would have written.
 */
export function rebuildTableSql(table: FrameworkMetadataTable): string {
  const c = table.columns;
  const audit = `SELECT ch.actor, e.recorded_at FROM metadata_events e JOIN metadata_changesets ch ON ch.id = e.changeset_id WHERE e.item_id = s.item_id`;
  return `
TRUNCATE ${table.qualifiedName};
INSERT INTO ${table.qualifiedName} (${[c.id, c.name, c.type, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.createdBy, c.createdAt, c.updatedBy, c.updatedAt, c.version].join(', ')})
SELECT s.document->>'id', s.name, s.type, s.document->>'namespace', s.document->>'scope', s.document->'metadata',
       s.document->>'extends', s.document->>'strategy', s.document->>'owner', s.document->>'state',
       coalesce(created.actor, updated.actor), coalesce(created.recorded_at, updated.recorded_at, s.updated_at),
       updated.actor, coalesce(updated.recorded_at, s.updated_at), s.version
FROM metadata_streams s
LEFT JOIN LATERAL (${audit} AND e.version = s.version) updated ON true
LEFT JOIN LATERAL (
  ${audit} AND e.version > coalesce((SELECT max(d.version) FROM metadata_events d WHERE d.item_id = s.item_id AND d.kind = 'deleted'), 0)
  ORDER BY e.version LIMIT 1
) created ON true
WHERE s.document IS NOT NULL;`;
}

/**
 * The inline projection as CTEs of the append statement, so a save stays one round trip. They read the
 * `hashed` CTE (one row per event with its next `document`, `version`, `recorded_at`) joined to the
 * streams that advanced, and the actor as parameter `actorParam`.
 */
const upsertColumns = (c: FrameworkMetadataColumns) => [c.id, c.name, c.type, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.createdBy, c.createdAt, c.updatedBy, c.updatedAt, c.version];

/** An existing row keeps who created it and when; everything else follows the latest event. */
const onConflictUpdate = (c: FrameworkMetadataColumns) =>
  `ON CONFLICT (${c.type}, ${c.name}) DO UPDATE SET ${[c.id, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.updatedBy, c.updatedAt, c.version].map((col) => `${col} = excluded.${col}`).join(', ')}`;

export function inlineProjectionCtes(table: FrameworkMetadataTable, actorParam: string): string {
  const c = table.columns;
  return `
projected AS (
  INSERT INTO ${table.qualifiedName} AS p (${upsertColumns(c).join(', ')})
  SELECT h.document->>'id', h.name, h.type, h.document->>'namespace', h.document->>'scope', h.document->'metadata',
         h.document->>'extends', h.document->>'strategy', h.document->>'owner', h.document->>'state',
         ${actorParam}, h.recorded_at, ${actorParam}, h.recorded_at, h.version
  FROM hashed h JOIN stream s ON s.type = h.type AND s.name = h.name
  WHERE h.document IS NOT NULL
  ${onConflictUpdate(c)}
),
unprojected AS (
  DELETE FROM ${table.qualifiedName} p
  USING hashed h JOIN stream s ON s.type = h.type AND s.name = h.name
  WHERE h.document IS NULL AND p.${c.type} = h.type AND p.${c.name} = h.name
)`;
}

/** Reads projection rows back as protocol records (camelCase keys). */
export function recordColumnsSql(table: FrameworkMetadataTable, alias = 'p'): string {
  return Object.entries(table.columns)
    .map(([field, column]) => `${alias}.${column} AS "${field}"`)
    .join(', ');
}

interface ProjectedRow {
  type: string;
  name: string;
  document: Record<string, unknown>;
  version: number;
  createdBy: string | null;
  createdAt: string;
  updatedBy: string | null;
  updatedAt: string;
}

/** Folds a batch of events into, per item, whether its row must go first (a delete) and the row it ends as. */
function foldBatch(events: ProjectedEvent[]): { removed: { type: string; name: string }[]; rows: ProjectedRow[] } {
  const items = new Map<string, { removed: boolean; created?: ProjectedEvent; last: ProjectedEvent }>();
  for (const event of events) {
    const key = `${event.type}\u0000${event.name}`;
    const item = items.get(key) ?? { removed: false, last: event };
    if (event.document === null) Object.assign(item, { removed: true, created: undefined });
    else if (event.previous === null) item.created = event;
    item.last = event;
    items.set(key, item);
  }
  const all = [...items.values()];
  return {
    removed: all.filter((item) => item.removed).map(({ last }) => ({ type: last.type, name: last.name })),
    rows: all
      .filter((item) => item.last.document !== null)
      .map(({ created, last }) => ({
        type: last.type,
        name: last.name,
        document: last.document as unknown as Record<string, unknown>,
        version: last.version,
        createdBy: (created ?? last).actor,
        createdAt: (created ?? last).recordedAt,
        updatedBy: last.actor,
        updatedAt: last.recordedAt,
      })),
  };
}

/**
 * The projection as the projection runner drives it (async mode, rebuilds into a fresh copy): the same
 * rows the inline CTEs write, for any quoted `target` table shaped like this one.
 */
export function frameworkMetadataProjection(table: FrameworkMetadataTable): ProjectionDefinition {
  const c = table.columns;
  return {
    name: 'framework-metadata',
    version: 1,
    kinds: 'all',
    defaultMode: 'inline',
    table: table.qualifiedName,
    async ensureTable(db) {
      for (const statement of createTableStatements(table)) await db.executeQuery(CompiledQuery.raw(statement));
    },
    async apply(trx, events, target) {
      const { removed, rows } = foldBatch(events);
      if (removed.length > 0) {
        await trx.executeQuery(
          CompiledQuery.raw(
            `DELETE FROM ${target} p USING jsonb_to_recordset($1::jsonb) AS k(type text, name text) WHERE p.${c.type} = k.type AND p.${c.name} = k.name`,
            [JSON.stringify(removed)],
          ),
        );
      }
      if (rows.length === 0) return;
      await trx.executeQuery(
        CompiledQuery.raw(
          `INSERT INTO ${target} AS p (${upsertColumns(c).join(', ')})
           SELECT r.document->>'id', r.name, r.type, r.document->>'namespace', r.document->>'scope', r.document->'metadata',
                  r.document->>'extends', r.document->>'strategy', r.document->>'owner', r.document->>'state',
                  r."createdBy", r."createdAt", r."updatedBy", r."updatedAt", r.version
           FROM jsonb_to_recordset($1::jsonb) AS r(type text, name text, document jsonb, version integer,
                "createdBy" text, "createdAt" timestamptz, "updatedBy" text, "updatedAt" timestamptz)
           ${onConflictUpdate(c)}`,
          [JSON.stringify(rows)],
        ),
      );
    },
    async reset(trx, target) {
      await trx.executeQuery(CompiledQuery.raw(`TRUNCATE ${target}`));
    },
  };
}
