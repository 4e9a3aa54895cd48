import type { FrameworkMetadataTable } from './framework-metadata-table.js';

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

/** Reads projection rows back as protocol records (camelCase keys). */
export function recordColumnsSql(table: FrameworkMetadataTable, alias = 'p'): string {
  return Object.entries(table.columns)
    .map(([field, column]) => `${alias}.${column} AS "${field}"`)
    .join(', ');
}
