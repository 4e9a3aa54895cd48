import { isDeepStrictEqual } from 'node:util';
import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import { toDocument, type ItemDocument } from '../events/document.js';
import { ReplayError } from '../events/replay.js';
import type { IntegrityProblem } from './integrity-problem.js';
import { foldRows } from './states-at.js';
import { projectionRowsOf, replayEvents, streamHeadsOf, type ReplayRow } from './statements/verify.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';

/** A round of items, by id: the verification holds one round's events in memory, not the whole log. */
export interface ItemRange {
  from: string;
  to: string;
  count: number;
}

/** One item as its retained log says it is now, with who made it and who changed it last. */
export interface ReplayedItem {
  itemId: string;
  type: string;
  name: string;
  version: number;
  hash: string;
  document: ItemDocument | null;
  updated: Audit;
  /** Undefined when the event that (re)created the item was pruned. */
  created?: Audit;
}

interface Audit {
  actor: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** Who made the item as it is now: the first event after its last delete, unless pruning took it. */
function creationOf(rows: ReplayRow[]): ReplayRow | undefined {
  const lastDelete = rows.map((row) => row.kind).lastIndexOf('deleted');
  if (lastDelete >= 0) return rows[lastDelete + 1];
  const [first] = rows;
  return first.start_kind === 'event' || first.start_document === null ? first : undefined;
}

/** The item replayed; each full state its events record must be the state the replay reaches there. */
function replayedItem(rows: ReplayRow[], problems: IntegrityProblem[]): ReplayedItem {
  const last = rows[rows.length - 1];
  const creation = creationOf(rows);
  const audit = (row: ReplayRow): Audit => ({ actor: row.actor, at: Number(row.recorded_ms) });
  const item = {
    itemId: last.item_id,
    type: last.type,
    name: last.name,
    version: last.version,
    hash: last.hash,
    updated: audit(last),
    created: creation && audit(creation),
  };
  const document = foldRows(rows, (row, replayed) => {
    if (isDeepStrictEqual(row.snapshot, replayed)) return;
    problems.push({
      kind: 'snapshot_mismatch',
      type: row.type,
      name: row.name,
      version: row.version,
      detail: 'the full state this event records differs from the state its earlier events replay to',
    });
  });
  return { ...item, document };
}

/** Replays the retained log of the range's items; an item whose events do not apply is a problem, not a failure. */
export async function replayRange(db: MetaledgerDb, range: ItemRange): Promise<{ items: ReplayedItem[]; problems: IntegrityProblem[] }> {
  const events = await runStatement(db, replayEvents(range.from, range.to));
  const items: ReplayedItem[] = [];
  const problems: IntegrityProblem[] = [];
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && events[i].item_id === events[start].item_id) continue;
    try {
      items.push(replayedItem(events.slice(start, i), problems));
    } catch (error) {
      if (!(error instanceof ReplayError)) throw error;
      problems.push({ kind: 'replay_failed', ...error.item, detail: error.message });
    }
    start = i;
  }
  return { items, problems };
}

/** Each replayed item's stream head: its version, hash, key and time are the last event's, its document the replay's. */
export async function streamHeadProblems(db: MetaledgerDb, items: ReplayedItem[]): Promise<IntegrityProblem[]> {
  const rows = await runStatement(db, streamHeadsOf(items.map((item) => item.itemId)));
  const heads = new Map(rows.map((row) => [row.item_id, row]));
  const problems: IntegrityProblem[] = [];
  for (const item of items) {
    const head = heads.get(item.itemId);
    const at = { type: item.type, name: item.name, version: item.version };
    const differences = !head
      ? ['the item has events but no stream head']
      : [
          head.version !== item.version && `version ${head.version} (the last event is version ${item.version})`,
          head.hash !== item.hash && 'hash differs from the last event',
          (head.type !== item.type || head.name !== item.name) && `key ${head.type}/${head.name} differs from the log`,
          Number(head.updated_ms) !== item.updated.at && 'time differs from the last event',
          !isDeepStrictEqual(head.document, item.document) && 'document differs from the replayed log',
        ].filter((difference): difference is string => typeof difference === 'string');
    if (differences.length > 0) problems.push({ kind: 'stream_head_mismatch', ...at, detail: `stream head: ${differences.join('; ')}` });
  }
  return problems;
}

/** The projection rows of the replayed items against their replayed state and audit columns, column by column. */
export async function projectionProblems(
  db: MetaledgerDb,
  table: FrameworkMetadataTable,
  items: ReplayedItem[],
): Promise<IntegrityProblem[]> {
  const projected = await runStatement(db, projectionRowsOf(table, items));
  const byKey = new Map(items.map((item) => [`${item.type}\u0000${item.name}`, item]));
  const problems: IntegrityProblem[] = [];
  const seen = new Set<string>();
  for (const row of projected) {
    const key = `${row.type}\u0000${row.name}`;
    seen.add(key);
    const expected = byKey.get(key);
    const at = { type: String(row.type), name: String(row.name) };
    if (!expected?.document) {
      problems.push({ kind: 'projection_extra_row', ...at, detail: 'row exists but the log says the item does not' });
      continue;
    }
    const audit = (who: unknown, when: unknown, audit: Audit) => who !== audit.actor || (when === null ? null : Number(when)) !== audit.at;
    const differences = [
      !isDeepStrictEqual(toDocument(row as unknown as ItemDocument), toDocument(expected.document)) && 'content',
      Number(row.version) !== expected.version && `version ${row.version}`,
      expected.created && audit(row.createdBy, row.createdMs, expected.created) && 'created_by / created_at',
      audit(row.updatedBy, row.updatedMs, expected.updated) && 'updated_by / updated_at',
    ].filter((difference): difference is string => typeof difference === 'string');
    if (differences.length > 0) {
      problems.push({
        kind: 'projection_mismatch',
        ...at,
        version: expected.version,
        detail: `row differs from the replayed log (version ${expected.version}) in ${differences.join(', ')}`,
      });
    }
  }
  for (const [key, expected] of byKey) {
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
