import { isDeepStrictEqual } from 'node:util';
import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import type { IntegrityProblem } from './integrity-problem.js';
import { statesAtVersions } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import {
  changesetsMissingEvents,
  compactionSnapshots,
  prunePointChecks,
  rowsWithoutEvents,
  streamsWithoutEvents,
} from './statements/verify.js';

// The checks that look at the log as a whole rather than one round of items.

/** Stream heads of items the log has no event for. */
export async function streamHeadsWithoutEvents(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await runStatement(db, streamsWithoutEvents());
  return found.map((row) => ({
    kind: 'stream_head_mismatch' as const,
    ...row,
    detail: `stream head is version ${row.version} but the item has no events`,
  }));
}

/** Projection rows of items the log has no event for at all. */
export async function orphanRowProblems(db: MetaledgerDb, table: FrameworkMetadataTable): Promise<IntegrityProblem[]> {
  const found = await runStatement(db, rowsWithoutEvents(table));
  return found.map((row) => ({ kind: 'projection_extra_row' as const, ...row, detail: 'row exists but the log says the item does not' }));
}

/**
 * Changesets (written with hash version 2) that lack events they recorded: events of theirs were
 * removed (a truncated tail, an erased item). Pruned events still count. More events than recorded is
 * not a finding: a bulk operation interrupted before it settled its count records 0.
 */
export async function changesetProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await runStatement(db, changesetsMissingEvents());
  return found.map((row) => ({
    kind: 'changeset_mismatch' as const,
    changesetId: row.id,
    detail: `the changeset recorded ${row.event_count} events, the log holds ${Number(row.found)}: events were removed`,
  }));
}

/**
 * Each prune point against the events it replaced (metadata_pruned_events): the last one's version,
 * hash, position and time, the first one's position and time, and no version missing in between. Items
 * pruned before those were recorded (sql/0010) have nothing to compare with.
 */
export async function prunePointProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const found = await runStatement(db, prunePointChecks());
  return found
    .filter((row) => row.detail !== '')
    .map((row) => ({
      kind: 'prune_point_mismatch' as const,
      ...(row.type !== null && row.name !== null ? { type: row.type, name: row.name } : {}),
      version: row.version,
      detail: row.detail,
    }));
}

/**
 * Every compaction snapshot against the state folded from the log alone at its version. Items whose
 * log does not replay are skipped here: the replay check reports them.
 */
export async function compactionSnapshotProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const snapshots = await runStatement(db, compactionSnapshots());
  // statesAtVersions takes one version per item: check an item's k-th snapshot in round k
  const rounds: (typeof snapshots)[] = [];
  const seen = new Map<string, number>();
  for (const row of snapshots) {
    const round = seen.get(row.item_id) ?? 0;
    seen.set(row.item_id, round + 1);
    (rounds[round] ??= []).push(row);
  }
  const problems: IntegrityProblem[] = [];
  for (const round of rounds) {
    const unreplayable = new Set<string>();
    const fromLog = await statesAtVersions(
      db,
      round.map((row) => ({ itemId: row.item_id, version: row.version })),
      { useCompactionSnapshots: false, onReplayError: (itemId) => unreplayable.add(itemId) },
    );
    for (const row of round) {
      if (unreplayable.has(row.item_id) || isDeepStrictEqual(row.document, fromLog.get(row.item_id)?.document ?? null)) continue;
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
