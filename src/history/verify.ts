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

/** The events of items `$1`..`$2` re-hashed in SQL (the same function that wrote them), each next to its predecessor. */
const chainQuery = `
  SELECT e.item_id, e.type, e.name, e.version, e.hash, e.prev_hash,
         metadata_event_hash(e.prev_hash, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.inverse, e.snapshot,
           jsonb_build_object('namespace', e.namespace, 'scope', e.scope, 'state', e.state, 'owner', e.owner,
                              'extends', e.extends, 'strategy', e.strategy),
           e.changeset_id, e.recorded_at) AS recomputed,
         lag(e.hash) OVER w AS previous_hash, lag(e.version) OVER w AS previous_version,
         p.version AS prune_version, p.hash AS prune_hash
  FROM metadata_events e LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
  WHERE e.item_id BETWEEN $1::uuid AND $2::uuid
  WINDOW w AS (PARTITION BY e.item_id ORDER BY e.version)
  ORDER BY e.item_id, e.version`;

function chainProblems(row: ChainRow): IntegrityProblem[] {
  const at = { type: row.type, name: row.name, version: row.version };
  const problems: IntegrityProblem[] = [];
  if (row.recomputed !== row.hash)
    problems.push({ kind: 'hash_mismatch', ...at, detail: 'event content does not match its hash (edited)' });
  const expectedPrevious = row.previous_version === null ? (row.prune_version !== null ? row.prune_version : 0) : row.previous_version;
  const expectedPrevHash = row.previous_version === null ? row.prune_hash : row.previous_hash;
  if (row.version !== expectedPrevious + 1) {
    problems.push({
      kind: 'version_gap',
      ...at,
      detail: `follows version ${expectedPrevious}: versions ${expectedPrevious + 1}..${row.version - 1} are missing`,
    });
  } else if (row.prev_hash !== expectedPrevHash) {
    problems.push({ kind: 'broken_chain', ...at, detail: 'prev_hash does not match the previous event (removed or reordered events)' });
  }
  return problems;
}

async function streamHeadProblems(db: Kysely<any>): Promise<IntegrityProblem[]> {
  const { rows } = await db.executeQuery<{
    type: string;
    name: string;
    version: number;
    hash: string;
    last_version: number | null;
    last_hash: string | null;
  }>(
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

/** A round of items, by id: the verification holds one round's events in memory, not the whole log. */
interface ItemRange {
  from: string;
  to: string;
  count: number;
}

async function nextItemRange(db: Kysely<any>, after: string | null, limit: number): Promise<ItemRange | undefined> {
  const { rows } = await db.executeQuery<{ item_id: string }>(
    CompiledQuery.raw(
      `SELECT DISTINCT item_id FROM metadata_events WHERE $1::uuid IS NULL OR item_id > $1::uuid ORDER BY item_id LIMIT $2`,
      [after, limit],
    ),
  );
  if (rows.length === 0) return undefined;
  return { from: rows[0].item_id, to: rows[rows.length - 1].item_id, count: rows.length };
}

type Replayed = Map<string, { type: string; name: string; version: number; document: ItemDocument | null }>;

/** Replays the retained log of the range's items, keyed by (type, name) as the projection is. */
async function replayRange(db: Kysely<any>, range: ItemRange): Promise<Replayed> {
  const { rows: events } = await db.executeQuery<FoldRow>(
    CompiledQuery.raw(
      `SELECT e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.snapshot, e.recorded_at,
              CASE WHEN p.item_id IS NULL THEN 'event' ELSE 'prune' END AS start_kind, p.document AS start_document
       FROM metadata_events e LEFT JOIN metadata_prune_points p ON p.item_id = e.item_id
       WHERE e.item_id BETWEEN $1::uuid AND $2::uuid
       ORDER BY e.item_id, e.version`,
      [range.from, range.to],
    ),
  );
  const replayed: Replayed = new Map();
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && events[i].item_id === events[start].item_id) continue;
    const rows = events.slice(start, i);
    const last = rows[rows.length - 1];
    replayed.set(`${last.type}\u0000${last.name}`, { type: last.type, name: last.name, version: last.version, document: foldRows(rows) });
    start = i;
  }
  return replayed;
}

/** Compares the projection rows of the replayed items with their replayed states. */
async function projectionProblems(db: Kysely<any>, table: FrameworkMetadataTable, replayed: Replayed): Promise<IntegrityProblem[]> {
  const items = [...replayed.values()];
  const c = table.columns;
  const { rows: projected } = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(
      `SELECT ${recordColumnsSql(table)} FROM ${table.qualifiedName} p
       JOIN unnest($1::text[], $2::text[]) AS k(type, name) ON p.${c.type} = k.type AND p.${c.name} = k.name`,
      [items.map((item) => item.type), items.map((item) => item.name)],
    ),
  );
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
      problems.push({
        kind: 'projection_mismatch',
        ...at,
        version: expected.version,
        detail: `row (version ${row.version}) differs from the replayed log (version ${expected.version})`,
      });
    }
  }
  for (const [key, expected] of replayed) {
    if (expected.document && !seen.has(key)) {
      problems.push({
        kind: 'projection_missing_row',
        type: expected.type,
        name: expected.name,
        version: expected.version,
        detail: 'the log says the item exists but it has no row',
      });
    }
  }
  return problems;
}

/** Projection rows of items the log has no event for at all. */
async function orphanRowProblems(db: Kysely<any>, table: FrameworkMetadataTable): Promise<IntegrityProblem[]> {
  const c = table.columns;
  const { rows } = await db.executeQuery<{ type: string; name: string }>(
    CompiledQuery.raw(
      `SELECT p.${c.type} AS type, p.${c.name} AS name FROM ${table.qualifiedName} p
       WHERE NOT EXISTS (
         SELECT 1 FROM metadata_streams s WHERE s.type = p.${c.type} AND s.name = p.${c.name}
           AND EXISTS (SELECT 1 FROM metadata_events e WHERE e.item_id = s.item_id))`,
    ),
  );
  return rows.map((row) => ({
    kind: 'projection_extra_row' as const,
    type: row.type,
    name: row.name,
    detail: 'row exists but the log says the item does not',
  }));
}

/** Every compaction snapshot against the state folded from the log alone at its version. */
async function compactionSnapshotProblems(db: Kysely<any>): Promise<IntegrityProblem[]> {
  const { rows } = await db.executeQuery<{ item_id: string; type: string; name: string; version: number; document: ItemDocument | null }>(
    CompiledQuery.raw(
      'SELECT m.item_id, s.type, s.name, m.version, m.document FROM metadata_snapshots m JOIN metadata_streams s ON s.item_id = m.item_id',
    ),
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
    const fromLog = await statesAtVersions(
      db,
      round.map((row) => ({ itemId: row.item_id, version: row.version })),
      { useCompactionSnapshots: false },
    );
    for (const row of round) {
      if (isDeepStrictEqual(row.document, fromLog.get(row.item_id)?.document ?? null)) continue;
      problems.push({
        kind: 'snapshot_mismatch',
        type: row.type,
        name: row.name,
        version: row.version,
        detail: 'compaction snapshot differs from the log',
      });
    }
  }
  return problems;
}

export interface VerifyOptions {
  /** Items checked per round (default 1,000): memory holds one round's events, not the whole log. */
  itemsPerRound?: number;
}

/** Checks hash chains, version continuity, stream heads, and that replaying the log gives the projection. */
export async function verify(db: Kysely<any>, table: FrameworkMetadataTable, options: VerifyOptions = {}): Promise<VerifyReport> {
  const itemsPerRound = options.itemsPerRound ?? 1000;
  const chain: IntegrityProblem[] = [];
  const projection: IntegrityProblem[] = [];
  let events = 0;
  let items = 0;
  for (let range = await nextItemRange(db, null, itemsPerRound); range; range = await nextItemRange(db, range.to, itemsPerRound)) {
    const { rows } = await db.executeQuery<ChainRow>(CompiledQuery.raw(chainQuery, [range.from, range.to]));
    chain.push(...rows.flatMap(chainProblems));
    projection.push(...(await projectionProblems(db, table, await replayRange(db, range))));
    events += rows.length;
    items += range.count;
  }
  projection.push(...(await orphanRowProblems(db, table)));
  const problems = [...chain, ...(await streamHeadProblems(db)), ...projection, ...(await compactionSnapshotProblems(db))];
  return { ok: problems.length === 0, events, items, problems };
}
