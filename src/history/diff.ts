import type { Kysely } from 'kysely';
import { diffStates, type PatchOperation } from '../events/patch.js';
import { getAt, type ItemAt } from './get-at.js';
import { summarizePatch } from './summarize.js';

/** One side of a diff: a version number or a moment in time. */
export type DiffSide = number | Date | string;

/** An item at two moments and the RFC 6902 patch from the first to the second, with a one-line summary. */
export interface ItemDiff {
  from: ItemAt;
  to: ItemAt;
  patch: PatchOperation[];
  summary: string;
  identical: boolean;
}

const momentOf = (side: DiffSide) => (typeof side === 'number' ? { version: side } : { asOf: side });

export async function diffItem(db: Kysely<any>, type: string, name: string, from: DiffSide, to: DiffSide): Promise<ItemDiff> {
  const [before, after] = [await getAt(db, type, name, momentOf(from)), await getAt(db, type, name, momentOf(to))];
  const patch = diffStates(before.document, after.document);
  return { from: before, to: after, patch, summary: summarizePatch(patch), identical: patch.length === 0 };
}
