import type { Kysely } from 'kysely';
import { diffStates, type PatchOperation } from '../events/patch.js';
import { getAt, type ItemAt } from './get-at.js';
import { summarizePatch } from './summarize.js';

/** One side of a diff: a version number or a moment in time. */
export type DiffSide = number | Date | string;

export interface ItemDiff {
  from: ItemAt;
  to: ItemAt;
  patch: PatchOperation[];
  summary: string;
  identical: boolean;
}

const momentOf = (side: DiffSide) => (typeof side === 'number' ? { version: side } : { asOf: side });

/** `shape` gives both sides as the reader should see them (typed metadata upcasts them to the current schema). */
export async function diffItem(
  db: Kysely<any>,
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
