import { statement, type Statement } from '../../datasource/statement.js';

/*
 * The statements of typed metadata, each a function of its inputs. Definitions are read from the stream
 * heads (not a projection, which may lag); referrers and schema versions come from sql/0020's functions
 * and column.
 */

/** Every live type definition: `_type` items with their payloads. */
export const readTypeDefinitions = (): Statement<{ name: string; definition: unknown }> =>
  statement(
    'read-type-definitions',
    `SELECT name, document->'metadata' AS definition FROM metadata_streams WHERE type = '_type' AND document IS NOT NULL`,
  );

/** Live items whose declared references name `type/name`, one row per referring path. */
export const readReferrers = (type: string, name: string): Statement<{ type: string; name: string; path: string }> =>
  statement('read-referrers', 'SELECT type, name, path FROM metadata_referrers($1, $2)', [type, name]);

/** The schema version of each item's event at a version, for many items at once (`[type, name, version]` rows). */
export const readSchemaVersionsOf = (
  keys: [string, string, number][],
): Statement<{ type: string; name: string; version: number; schema_version: number | null }> =>
  statement(
    'read-schema-versions-of',
    `SELECT k.type, k.name, k.version, e.schema_version FROM jsonb_to_recordset($1::jsonb) AS k(type text, name text, version int)
         JOIN metadata_streams s ON s.type = k.type AND s.name = k.name
         JOIN metadata_events e ON e.item_id = s.item_id AND e.version = k.version`,
    [JSON.stringify(keys.map(([type, name, version]) => ({ type, name, version })))],
  );

/** The live items of a type whose current state was written under an older schema version than `version`. */
export const readItemsBelowVersion = (type: string, version: number): Statement<{ name: string; schema_version: number }> =>
  statement(
    'read-items-below-version',
    `SELECT s.name, e.schema_version FROM metadata_streams s JOIN metadata_events e ON e.item_id = s.item_id AND e.version = s.version
         WHERE s.type = $1 AND s.document IS NOT NULL AND e.schema_version < $2 ORDER BY s.name`,
    [type, version],
  );
