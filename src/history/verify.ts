import type { FrameworkMetadataTable } from '../table/framework-metadata-table.js';
import { anchorProblems, parseAnchor, type Anchor } from './anchor.js';
import type { IntegrityProblem } from './integrity-problem.js';
import { chainProblems } from './verify-chain.js';
import { hashChain, nextItemIds } from './statements/verify.js';
import {
  changesetProblems,
  compactionSnapshotProblems,
  orphanRowProblems,
  prunePointProblems,
  streamHeadsWithoutEvents,
} from './verify-log.js';
import { projectionProblems, replayRange, streamHeadProblems, type ItemRange } from './verify-state.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';

export type { IntegrityProblem, IntegrityProblemKind } from './integrity-problem.js';

/** What `store.verify()` found: `ok` when the hash chains, versions, heads, changesets and projections all match the log. */
export interface VerifyReport {
  ok: boolean;
  events: number;
  items: number;
  problems: IntegrityProblem[];
  /** With `verify({ anchor })`: the anchor checked, and whether the log at or before it still matches. */
  anchor?: Anchor & { matches: boolean };
}

/** How `store.verify()` walks the log, and an optional anchor to prove against. */
export interface VerifyOptions {
  /** Items checked per round (default 1,000): memory holds one round's events, not the whole log. */
  itemsPerRound?: number;
  /**
   * An anchor from `store.anchor()`, kept outside the database: also proves that nothing at or before
   * its position was changed, removed or reordered since — even by someone who recomputed the chain.
   */
  anchor?: Anchor;
}

async function nextItemRange(db: MetaledgerDb, after: string | null, limit: number): Promise<ItemRange | undefined> {
  const rows = await runStatement(db, nextItemIds(after, limit));
  if (rows.length === 0) return undefined;
  return { from: rows[0].item_id, to: rows[rows.length - 1].item_id, count: rows.length };
}

/**
 * Checks everything an auditor reads against the hash chains: each event's hash (content, position,
 * changeset who / why / when), chain links, version continuity and position order; that the log
 * replays (an item that does not is reported, the others still checked); the stream heads and every
 * projection column against the replay; changesets against their events; prune points against what
 * they replaced; compaction snapshots. With an anchor, also the whole log up to the anchor's position.
 */
export async function verify(db: MetaledgerDb, table: FrameworkMetadataTable, options: VerifyOptions = {}): Promise<VerifyReport> {
  const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
  const itemsPerRound = options.itemsPerRound ?? 1000;
  const chain: IntegrityProblem[] = [];
  const state: IntegrityProblem[] = [];
  let events = 0;
  let items = 0;
  for (let range = await nextItemRange(db, null, itemsPerRound); range; range = await nextItemRange(db, range.to, itemsPerRound)) {
    const rows = await runStatement(db, hashChain(range.from, range.to));
    chain.push(...rows.flatMap(chainProblems));
    const replayed = await replayRange(db, range);
    state.push(
      ...replayed.problems,
      ...(await streamHeadProblems(db, replayed.items)),
      ...(await projectionProblems(db, table, replayed.items)),
    );
    events += rows.length;
    items += range.count;
  }
  const anchored = anchor ? await anchorProblems(db, anchor) : [];
  const problems = [
    ...chain,
    ...(await changesetProblems(db)),
    ...(await prunePointProblems(db)),
    ...(await streamHeadsWithoutEvents(db)),
    ...state,
    ...(await orphanRowProblems(db, table)),
    ...(await compactionSnapshotProblems(db)),
    ...anchored,
  ];
  return {
    ok: problems.length === 0,
    events,
    items,
    problems,
    ...(anchor ? { anchor: { ...anchor, matches: anchored.length === 0 } } : {}),
  };
}
