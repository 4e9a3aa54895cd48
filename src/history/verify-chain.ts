import type { IntegrityProblem } from './integrity-problem.js';

export interface ChainRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  position: number;
  hash: string;
  prev_hash: string | null;
  hash_version: number;
  /** The hash recomputed by the formula of the event's hash version (null: no such formula). */
  recomputed: string | null;
  changeset_id: string;
  /** Null when the changeset row is gone. */
  changeset_hash_version: number | null;
  previous_hash: string | null;
  previous_version: number | null;
  previous_position: number | null;
  previous_hash_version: number | null;
  prune_version: number | null;
  prune_hash: string | null;
  prune_position: number | null;
}

const envelope = `jsonb_build_object('namespace', e.namespace, 'scope', e.scope, 'state', e.state, 'owner', e.owner,
                                     'extends', e.extends, 'strategy', e.strategy)`;

/**
 * The events of items `$1`..`$2` re-hashed in SQL by the function that wrote them (per hash version;
 * version 2 also hashes the changeset's who / why / when), each next to its predecessor.
 */
export const chainQuery = `
  SELECT e.item_id, e.type, e.name, e.version, e.position, e.hash, e.prev_hash, e.hash_version, e.changeset_id,
         CASE e.hash_version
           WHEN 1 THEN metadata_event_hash(e.prev_hash, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.inverse,
                                           e.snapshot, ${envelope}, e.changeset_id, e.recorded_at)
           WHEN 2 THEN metadata_event_hash_v2(e.prev_hash, e.position, e.tx_id, e.item_id, e.type, e.name, e.version, e.kind,
                                              e.patch, e.inverse, e.snapshot, ${envelope}, e.recorded_at, e.changeset_id,
                                              c.actor, c.reason, c.correlation_id, c.source, c.created_at, c.target)
         END AS recomputed,
         c.hash_version AS changeset_hash_version,
         lag(e.hash) OVER w AS previous_hash, lag(e.version) OVER w AS previous_version,
         lag(e.position) OVER w AS previous_position, lag(e.hash_version) OVER w AS previous_hash_version,
         p.version AS prune_version, p.hash AS prune_hash, p.position AS prune_position
  FROM metadata_events e
  LEFT JOIN metadata_changesets c ON c.id = e.changeset_id
  LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
  WHERE e.item_id BETWEEN $1::uuid AND $2::uuid
  WINDOW w AS (PARTITION BY e.item_id ORDER BY e.version)
  ORDER BY e.item_id, e.version`;

/** What is wrong with one event against its hash, its predecessor (or prune point) and its changeset. */
export function chainProblems(row: ChainRow): IntegrityProblem[] {
  const at = { type: row.type, name: row.name, version: row.version };
  const problems: IntegrityProblem[] = [];
  if (row.recomputed === null)
    problems.push({ kind: 'hash_mismatch', ...at, detail: `hash version ${row.hash_version} is unknown: the event cannot be checked` });
  else if (row.recomputed !== row.hash)
    problems.push({
      kind: 'hash_mismatch',
      ...at,
      detail: `event content does not match its hash (edited)${row.hash_version >= 2 ? ': the event, or its changeset’s who / why / when' : ''}`,
    });
  if (row.previous_hash_version !== null && row.hash_version < row.previous_hash_version)
    problems.push({
      kind: 'hash_mismatch',
      ...at,
      detail: `hash version ${row.hash_version} follows version ${row.previous_hash_version}: re-hashed with an older formula`,
    });
  if (row.changeset_hash_version === null)
    problems.push({ kind: 'changeset_mismatch', ...at, changesetId: row.changeset_id, detail: 'its changeset is missing' });
  // a changeset and its events are written together, with one formula: a difference is a re-hash
  else if (row.changeset_hash_version !== row.hash_version)
    problems.push({
      kind: 'changeset_mismatch',
      ...at,
      changesetId: row.changeset_id,
      detail: `its changeset has hash version ${row.changeset_hash_version}, the event ${row.hash_version}: one was re-hashed`,
    });
  const first = row.previous_version === null;
  const expectedPrevious = first ? (row.prune_version ?? 0) : row.previous_version!;
  const expectedPrevHash = first ? row.prune_hash : row.previous_hash;
  if (row.version !== expectedPrevious + 1) {
    problems.push({
      kind: 'version_gap',
      ...at,
      detail: `follows version ${expectedPrevious}: versions ${expectedPrevious + 1}..${row.version - 1} are missing`,
    });
  } else if (row.prev_hash !== expectedPrevHash) {
    problems.push({ kind: 'broken_chain', ...at, detail: 'prev_hash does not match the previous event (removed or reordered events)' });
  }
  const previousPosition = first ? row.prune_position : row.previous_position;
  if (previousPosition !== null && Number(row.position) <= Number(previousPosition))
    problems.push({
      kind: 'position_order',
      ...at,
      position: Number(row.position),
      detail: `log position ${row.position} is not after the previous version's ${previousPosition} (reordered)`,
    });
  return problems;
}
