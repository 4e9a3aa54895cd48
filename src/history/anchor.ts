import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { IntegrityProblem } from './integrity-problem.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { anchorLines, lastLogPosition, lockLogForAnchor, type AnchorCursor } from './statements/anchor.js';

/**
 * A small value that pins the whole log up to a position: keep it outside the database (a ticket, a
 * release note, another system) and `verify({ anchor })` later proves that nothing at or before that
 * position was changed, removed or reordered since — which no chain stored beside the data can prove
 * on its own, since whoever can write the log can also recompute its hashes.
 */
export interface Anchor {
  /** The last log position covered. */
  position: number;
  /** Events at or before it (pruned ones included). */
  eventCount: number;
  /** SHA-256 (hex) of one line per event, in position order: see `anchorLineSql` in statements/anchor.ts. */
  hash: string;
}

const pageSize = 5000;

/** The anchor fold of every event at or before `position`, read in one snapshot (a prune meanwhile moves nothing under it). */
async function foldLog(db: MetaledgerDb, position: number): Promise<Omit<Anchor, 'position'>> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const digest = createHash('sha256');
      let eventCount = 0;
      let after: AnchorCursor = { position: 0, src: -1 };
      for (;;) {
        const rows = await runStatement(trx, anchorLines(after, position, pageSize));
        for (const row of rows) digest.update(`${row.line}\n`);
        eventCount += rows.length;
        if (rows.length < pageSize) break;
        const last = rows[rows.length - 1];
        after = { position: Number(last.position), src: last.src };
      }
      return { eventCount, hash: digest.digest('hex') };
    });
}

/**
 * Anchors the log as it stands. Writers hold their lock on the log until they commit, so taking a
 * SHARE lock for a moment waits for the writes in flight: every position at or before the anchor's is
 * then final (a later write draws a higher one), and the anchor never changes under a late commit.
 */
export async function takeAnchor(db: MetaledgerDb): Promise<Anchor> {
  const position = await db.transaction().execute(async (trx) => {
    await runStatement(trx, lockLogForAnchor());
    const rows = await runStatement(trx, lastLogPosition());
    return Number(rows[0].position);
  });
  return { position, ...(await foldLog(db, position)) };
}

/** Refuses, with VALIDATION, anything that is not an anchor as takeAnchor gives it. */
export function parseAnchor(value: unknown): Anchor {
  const issues: ValidationIssue[] = [];
  const anchor = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) issues.push({ path: 'anchor', message: 'must be { position, eventCount, hash }' });
  for (const field of ['position', 'eventCount'] as const) {
    if (!Number.isSafeInteger(anchor[field]) || (anchor[field] as number) < 0)
      issues.push({ path: `anchor.${field}`, message: 'must be an integer >= 0' });
  }
  if (typeof anchor.hash !== 'string' || !/^[0-9a-f]{64}$/.test(anchor.hash))
    issues.push({ path: 'anchor.hash', message: 'must be 64 lowercase hex digits (SHA-256)' });
  if (issues.length > 0) throw new ValidationError(issues, 'invalid anchor');
  return { position: anchor.position as number, eventCount: anchor.eventCount as number, hash: anchor.hash as string };
}

/** What changed at or before the anchor's position since it was taken; nothing when the log still matches it. */
export async function anchorProblems(db: MetaledgerDb, anchor: Anchor): Promise<IntegrityProblem[]> {
  const now = await foldLog(db, anchor.position);
  if (now.eventCount === anchor.eventCount && now.hash === anchor.hash) return [];
  const at = `at or before position ${anchor.position}`;
  const detail =
    now.eventCount < anchor.eventCount
      ? `the anchor covers ${anchor.eventCount} events ${at}, the log now holds ${now.eventCount}: events were removed (truncated or erased)`
      : now.eventCount > anchor.eventCount
        ? `the anchor covers ${anchor.eventCount} events ${at}, the log now holds ${now.eventCount}: events were inserted into the past`
        : `the ${anchor.eventCount} events ${at} no longer hash to the anchor: an event was edited, re-hashed or moved`;
  return [{ kind: 'anchor_mismatch', position: anchor.position, detail }];
}
