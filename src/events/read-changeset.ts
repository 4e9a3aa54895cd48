import type { SqlRunner } from '../datasource/sql-runner.js';
import type { AppendedEvent } from './append-events.js';

/** The events a committed changeset appended, as its append statement reported them; same text on every call (prepared once). */
const readChangesetStatement = `
SELECT e.position, e.item_id AS "itemId", e.type, e.name, e.version, e.kind, e.hash,
       to_json(e.recorded_at) #>> '{}' AS "recordedAt"
FROM metadata_changesets c LEFT JOIN metadata_events e ON e.changeset_id = c.id
WHERE c.id = $1::uuid
ORDER BY e.position`;

/**
 * What a changeset wrote, if it was committed: null when no changeset has this id. A write re-sent after
 * an unknown outcome asks this first, so it returns the original outcome instead of writing again.
 */
export async function readCommittedChangeset(run: SqlRunner, changesetId: string): Promise<AppendedEvent[] | null> {
  const rows = await run<AppendedEvent & { position: number | null }>(readChangesetStatement, [changesetId]);
  if (rows.length === 0) return null;
  return rows.filter((row) => row.position !== null).map((row) => ({ ...row, position: Number(row.position) }));
}
