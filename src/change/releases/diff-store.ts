import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { ItemDocument } from '../../events/document.js';
import { diffStates, type PatchOperation } from '../../events/patch.js';
import { IdentitySchema, InstantSchema, PositionSchema, TypeKeySchema } from '../../input/call-options.js';
import { describeMoment, type ResolvedMoment } from '../../history/moment.js';
import { statesAt, type ItemState } from '../../history/states-at.js';
import { parseInput } from '../../input/parse-input.js';
import { byKey } from '../../events/stream-key.js';

/** What happened to one item between two moments. */
export type ItemChangeKind = 'created' | 'modified' | 'deleted';

/** One item that differs between the two moments, with the RFC 6902 patch from the first state to the second. */
export interface ItemChange {
  type: string;
  name: string;
  change: ItemChangeKind;
  /** The item's version at the first moment (absent: it did not exist or was deleted then). */
  fromVersion?: number;
  /** The item's version at the second moment (absent: it did not exist or was deleted then). */
  toVersion?: number;
  patch: PatchOperation[];
}

/** The review of a release: every item that differs between two moments, by type and name. */
export interface StoreDiff {
  from: string;
  to: string;
  changes: ItemChange[];
  counts: Record<ItemChangeKind, number>;
}

/** Which items `diffStore` compares: one namespace, some types. */
export interface DiffStoreOptions {
  /** Only items of this namespace (at either moment). */
  namespace?: string;
  /** Only items of these types. */
  types?: string[];
}

export const DiffStoreOptionsSchema = z.object({ namespace: IdentitySchema.optional(), types: z.array(TypeKeySchema).optional() }).strict();

/** A moment of the whole store: a date-time or a log position (a tag is turned into its position before). */
export const StoreMomentSchema = z.union([z.object({ asOf: InstantSchema }).strict(), z.object({ position: PositionSchema }).strict()], {
  errorMap: () => ({ message: 'give { asOf }, { position } or { tag }' }),
});

/** Parses a store-wide moment (version is one item's, not the store's). */
export function parseStoreMoment(moment: unknown, path: string): ResolvedMoment {
  const parsed = parseInput(StoreMomentSchema, moment, path) as ResolvedMoment;
  if ('asOf' in parsed && !(parsed.asOf instanceof Date))
    throw new ValidationError([{ path, message: 'is not a valid date-time' }], `invalid ${path}`);
  return parsed;
}

const live = (state: ItemState | undefined): ItemDocument | null => state?.document ?? null;

/** Whether an item belongs to the namespace at either moment (moving out of it is a change of it). */
function inNamespace(namespace: string | undefined, ...documents: (ItemDocument | null)[]): boolean {
  return namespace === undefined || documents.some((document) => document?.namespace === namespace);
}

/** The change between two states of one item, or undefined when they are the same. */
export function itemChange(
  type: string,
  name: string,
  before: ItemState | undefined,
  after: ItemState | undefined,
): ItemChange | undefined {
  const [from, to] = [live(before), live(after)];
  if (from === null && to === null) return undefined;
  // the same version is the same state: no need to compare documents
  if (from !== null && to !== null && before!.version === after!.version) return undefined;
  const patch = diffStates(from, to);
  if (patch.length === 0) return undefined;
  return {
    type,
    name,
    change: from === null ? 'created' : to === null ? 'deleted' : 'modified',
    ...(from !== null ? { fromVersion: before!.version } : {}),
    ...(to !== null ? { toVersion: after!.version } : {}),
    patch,
  };
}

/**
 * Every item of the slice that differs between two moments. Each moment's states come from one fold
 * of the log (each item from its nearest full state), not from a replay per item.
 */
export async function diffStore(
  db: MetaledgerDb,
  from: ResolvedMoment,
  to: ResolvedMoment,
  options: DiffStoreOptions = {},
): Promise<StoreDiff> {
  const filter = { types: options.types };
  const [before, after] = await Promise.all([statesAt(db, from, filter), statesAt(db, to, filter)]);
  const changes: ItemChange[] = [];
  for (const itemId of new Set([...before.keys(), ...after.keys()])) {
    const [then, now] = [before.get(itemId), after.get(itemId)];
    if (!inNamespace(options.namespace, live(then), live(now))) continue;
    const { type, name } = (now ?? then)!;
    const change = itemChange(type, name, then, now);
    if (change) changes.push(change);
  }
  changes.sort(byKey);
  const counts = { created: 0, modified: 0, deleted: 0 };
  for (const change of changes) counts[change.change] += 1;
  return { from: describeMoment(from), to: describeMoment(to), changes, counts };
}
