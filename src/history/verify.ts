import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, type Kysely } from 'kysely';
import { recordColumnsSql, type FrameworkMetadataTable } from '../../projections/framework-metadata.js';
import { toDocument, type ItemDocument } from '../events/document.js';
import { foldRows, statesAtVersions, type FoldRow } from './states-at.js';

export type IntegrityProblemKind =
  | 'hash_mismatch' // an event's content no longer matches its hash: edited
  | 'broken_chain' // prev_hash does not match the previous event: removed or reordered events
  | 'version_gap'
  | 'stream_head_mismatch'
  | 'projection_mismatch'
  | 'projection_missing_row'
  | 'projection_extra_row'
  | 'snapshot_mismatch'; // a compaction snapshot differs from the state the log gives at its version

export interface IntegrityProblem {
  kind: IntegrityProblemKind;
  type: string;
  name: string;
  version?: number;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  items: number;
  problems: IntegrityProblem[];
}

interface ChainRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  hash: string;
  prev_hash: string | null;
  recomputed: string;
  previous_hash: string | null;
  previous_version: number | null;
  prune_version: number | null;
  prune_hash: string | null;
}

/** Every event re-hashed in SQL (the same function that wrote it) next to its predecessor. */
const chainQuery = `
  SELECT e.item_id, e.type, e.name, e.version, e.hash, e.prev_hash,
         metadata_event_hash(e.prev_hash, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.inverse, e.snapshot,
           jsonb_build_object('namespace', e.namespace, 'scope', e.scope, 'state', e.state, 'owner', e.owner,
                              'extends', e.extends, 'strategy', e.strategy),
           e.changeset_id, e.recorded_at) AS recomputed,
         lag(e.hash) OVER w AS previous_hash, lag(e.version) OVER w AS previous_version,
         p.version AS prune_version, p.hash AS prune_hash
  FROM metadata_events e LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
  WINDOW w AS (PARTITION BY e.item_id ORDER BY e.version)
  ORDER BY e.item_id, e.version`;

function chainProblems(row: ChainRow): IntegrityProblem[] {
  const at = { type: row.type, name: row.name, version: row.version };
  const problems: IntegrityProblem[] = [];
  if (row.recomputed !== row.hash) problems.push({ kind: 'hash_mismatch', ...at, detail: 'event content does not match its hash (edited)' });
  const expectedPrevious = row.previous_version === null ? (row.prune_version !== null ? row.prune_version : 0) : row.previous_version;
  const expectedPrevHash = row.previous_version === null ? row.prune_hash : row.previous_hash;
  if (row.version !== expectedPrevious + 1) {
    problems.push({ kind: 'version_gap', ...at, detail: `follows version ${expectedPrevious}: versions ${expectedPrevious + 1}..${row.version - 1} are missing` });
  } else if (row.prev_hash !== expectedPrevHash) {
    problems.push({ kind: 'broken_chain', ...at, detail: 'prev_hash does not match the previous event (removed or reordered events)' });
  }
  return problems;
}

async function streamHeadProblems(db: Kysely<any>): Promise<IntegrityProblem[]> {
  const { rows } = await db.executeQuery<{ type: string; name: string; version: number; hash: string; last_version: number | null; last_hash: string | null }>(
    CompiledQuery.raw(`
      SELECT s.type, s.name, s.version, s.hash, l.version AS last_version, l.hash AS last_hash
      FROM metadata_streams s
      LEFT JOIN LATERAL (SELECT version, hash FROM metadata_events e WHERE e.item_id = s.item_id ORDER BY version DESC LIMIT 1) l ON true
      WHERE l.version IS DISTINCT FROM s.version OR l.hash IS DISTINCT FROM s.hash`),
  );
  return rows.map((row) => ({
    kind: 'stream_head_mismatch' as const,
    type: row.type,
    name: row.name,
    version: row.version,
    detail: `stream head is version ${row.version} but the last event is version ${row.last_version ?? 'none'}`,
  }));
}

/** Replays every item's whole retained log and compares the result with the projection table. */
async function projectionProblems(db: Kysely<any>, table: FrameworkMetadataTable): Promise<IntegrityProblem[]> {
  const { rows: events } = await db.executeQuery<FoldRow>(
    CompiledQuery.raw(`
      SELECT e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot, e.recorded_at,
             CASE WHEN p.item_id IS NULL THEN 'event' ELSE 'prune' END AS start_kind, p.document AS start_document
      FROM metadata_events e LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
      ORDER BY e.item_id, e.version`),
  );
  const replayed = new Map<string, { type: string; name: string; version: number; document: ItemDocument | null }>();
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && events[i].item_id === events[start].item_id) continue;
    const rows = events.slice(start, i);
    const last = rows[rows.length - 1];
    replayed.set(`${last.type}\u0000${last.name}`, { type: last.type, name: last.name, version: last.version, document: foldRows(rows) });
    start = i;
  }
  const { rows: projected } = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`SELECT ${recordColumnsSql(table)} FROM ${table.qualifiedName} p`));
  const problems: IntegrityProblem[] = [];
  const seen = new Set<string>();
  for (const row of projected) {
    const key = `${row.type}\u0000${row.name}`;
    seen.add(key);
    const expected = replayed.get(key);
    const at = { type: String(row.type), name: String(row.name) };
    if (!expected?.document) {
      problems.push({ kind: 'projection_extra_row', ...at, detail: 'row exists but the log says the item does not' });
      continue;
    }
    const actual = toDocument(row as unknown as ItemDocument);
    if (!isDeepStrictEqual(actual, toDocument(expected.document)) || Number(row.version) !== expected.version) {
      problems.push({ kind: 'projection_mismatch', ...at, version: expected.version, detail: `row (version ${row.version}) differs from the replayed log (version ${expected.version})` });
    }
  }
  for (const [key, expected] of replayed) {
    if (expected.document && !seen.has(key)) {
      problems.push({ kind: 'projection_missing_row', type: expected.type, name: expected.name, version: expected.version, detail: 'the log says the item exists but it has no row' });
    }
  }
  return problems;
}

/** Every compaction snapshot against the state folded from the log alone at its version. */
async function compactionSnapshotProblems(db: Kysely<any>): Promise<IntegrityProblem[]> {
  const { rows } = await db.executeQuery<{ item_id: string; type: string; name: string; version: number; document: ItemDocument | null }>(
    CompiledQuery.raw('SELECT m.item_id, s.type, s.name, m.version, m.document FROM metadata_snapshots m JOIN metadata_streams s ON s.item_id = m.item_id'),
  );
  // statesAtVersions takes one version per item: check an item's k-th snapshot in round k
  const rounds: (typeof rows)[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const round = seen.get(row.item_id) ?? 0;
    seen.set(row.item_id, round + 1);
    (rounds[round] ??= []).push(row);
  }
  const problems: IntegrityProblem[] = [];
  for (const round of rounds) {
    const fromLog = await statesAtVersions(db, round.map((row) => ({ itemId: row.item_id, version: row.version })), { useCompactionSnapshots: false });
    for (const row of round) {
      if (isDeepStrictEqual(row.document, fromLog.get(row.item_id)?.document ?? null)) continue;
      problems.push({ kind: 'snapshot_mismatch', type: row.type, name: row.name, version: row.version, detail: 'compaction snapshot differs from the log' });
    }
  }
  return problems;
}

/** Checks hash chains, version continuity, stream heads, and that replaying the log gives the projection. */
export async function verify(db: Kysely<any>, table: FrameworkMetadataTable): Promise<VerifyReport> {
  const { rows } = await db.executeQuery<ChainRow>(CompiledQuery.raw(chainQuery));
  const problems = rows.flatMap(chainProblems);
  problems.push(...(await streamHeadProblems(db)), ...(await projectionProblems(db, table)), ...(await compactionSnapshotProblems(db)));
  const items = new Set(rows.map((row) => row.item_id)).size;
  return { ok: problems.length === 0, events: rows.length, items, problems };
}
