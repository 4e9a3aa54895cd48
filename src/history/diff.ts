import { diffStates, type PatchOperation } from '../events/patch.js';
import { getAt, type ItemAt } from './get-at.js';
import { summarizePatch } from './summarize.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** One side of a diff: a version number, a moment in time, or a log position. */
export type DiffSide = number | Date | string | { position: number };

/** An item at two moments and the RFC 6902 patch from the first to the second, with a one-line summary. */
export interface ItemDiff {
  from: ItemAt;
  to: ItemAt;
  patch: PatchOperation[];
  summary: string;
  identical: boolean;
}

const momentOf = (side: DiffSide) =>
  typeof side === 'number' ? { version: side } : typeof side === 'object' && !(side instanceof Date) ? side : { asOf: side };

/** `shape` gives both sides as the reader should see them (typed metadata upcasts them to the current schema). */
export async function diffItem(
  db: MetaledgerDb,
  type: string,
  name: string,
  from: DiffSide,
  to: DiffSide,
  shape: (sides: ItemAt[]) => Promise<ItemAt[]> = async (sides) => sides,
): Promise<ItemDiff> {
  const [before, after] = await shape([await getAt(db, type, name, momentOf(from)), await getAt(db, type, name, momentOf(to))]);
  const patch = diffStates(before.document, after.document);
  return { from: before, to: after, patch, summary: summarizePatch(patch), identical: patch.length === 0 };
}
