import type { IntegrityProblem } from './integrity-problem.js';
import type { ChainRow } from './statements/verify.js';

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
