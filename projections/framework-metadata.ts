import { quoteIdentifier } from '../src/datasource/identifier.js';

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

export interface FrameworkMetadataTable {
  /** Quoted, possibly schema-qualified table name, safe to place in SQL text. */
  qualifiedName: string;
  /** Quoted column names, by logical field. */
  columns: FrameworkMetadataColumns;
}

export function describeTable(
  table = '_framework_metadata',
  schema?: string,
  mapping: Partial<FrameworkMetadataColumns> = {},
): FrameworkMetadataTable {
  const columns = { ...defaultColumns, ...mapping };
  const quoted = Object.fromEntries(
    Object.entries(columns).map(([field, column]) => [field, quoteIdentifier(column, `columnMapping.${field}`)]),
  ) as unknown as FrameworkMetadataColumns;
  const name = quoteIdentifier(table, 'table');
  return { qualifiedName: schema ? `${quoteIdentifier(schema, 'schema')}.${name}` : name, columns: quoted };
}

/**
 * The inline projection as CTEs of the append statement, so a save stays one round trip. They read the
 * `hashed` CTE (one row per event with its next `document`, `version`, `recorded_at`) joined to the
 * streams that advanced, and the actor as parameter `actorParam`.
 */
export function inlineProjectionCtes(table: FrameworkMetadataTable, actorParam: string): string {
  const c = table.columns;
  const upsertColumns = [c.id, c.name, c.type, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.createdBy, c.createdAt, c.updatedBy, c.updatedAt, c.version];
  const changing = [c.id, c.namespace, c.scope, c.metadata, c.extends, c.strategy, c.owner, c.state, c.updatedBy, c.updatedAt, c.version];
  return `
projected AS (
  INSERT INTO ${table.qualifiedName} AS p (${upsertColumns.join(', ')})
  SELECT h.document->>'id', h.name, h.type, h.document->>'namespace', h.document->>'scope', h.document->'metadata',
         h.document->>'extends', h.document->>'strategy', h.document->>'owner', h.document->>'state',
         ${actorParam}, h.recorded_at, ${actorParam}, h.recorded_at, h.version
  FROM hashed h JOIN stream s ON s.type = h.type AND s.name = h.name
  WHERE h.document IS NOT NULL
  ON CONFLICT (${c.type}, ${c.name}) DO UPDATE SET ${changing.map((col) => `${col} = excluded.${col}`).join(', ')}
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
