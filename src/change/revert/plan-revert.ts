import { isDeepStrictEqual } from 'node:util';
import type { EventKind, ItemDocument } from '../../events/document.js';
import { applyPatch, diffStates, type PatchOperation } from '../../events/patch.js';
import { changedLeaves, hasParents, pointerOf, valueAt, writeLeaf } from './leaf-paths.js';

/** What to do where a later change touched what the revert would restore: leave it, or write over it. */
export type ConflictResolution = 'skip' | 'overwrite';

/** One stored event, as far as walking an item's history back needs it. */
export interface RevertEventInput {
  version: number;
  kind: EventKind;
  /** RFC 6902 from the state after the event back to the state before it. */
  inverse: PatchOperation[];
  changesetId: string;
}

/** One item the reverted changeset touched: its events in that changeset, the events since, and its state now. */
export interface RevertItemInput {
  itemId: string;
  type: string;
  name: string;
  /** The item's current version (its stream head). */
  version: number;
  /** The item now; null while it is deleted. */
  current: ItemDocument | null;
  /** The reverted changeset's events of this item, in version order. */
  reverted: RevertEventInput[];
  /** The item's events after those, in version order, up to its head. */
  later: RevertEventInput[];
}

/** A later event of the item, named by its version and changeset. */
export interface LaterChange {
  version: number;
  changesetId: string;
}

/**
 * Something a later change wrote that the revert would overwrite. `current` and `restoring` are absent
 * where the value (or the item) is absent: restoring nothing removes it.
 */
export interface RevertConflict {
  type: string;
  name: string;
  /** JSON pointer into the item; '' is the whole item (it was deleted, or recreated, since). */
  path: string;
  current?: unknown;
  restoring?: unknown;
  /** The later events that changed this path. */
  changedBy: LaterChange[];
}

/**
 * What the revert does to the item: delete what the changeset created, recreate what it deleted, revert
 * the paths it modified; `none` when the changeset left nothing to undo.
 */
export type RevertAction = 'delete' | 'recreate' | 'revert' | 'none';

/** The revert of one item, as a dry run shows it. */
export interface RevertItemPlan {
  type: string;
  name: string;
  action: RevertAction;
  /** The item's version the plan starts from. */
  fromVersion: number;
  /**
   * RFC 6902 from the item now to the item after the revert; empty when nothing is written. Conflicting
   * paths are in it only when they are overwritten.
   */
  patch: PatchOperation[];
  conflicts: RevertConflict[];
}

/** One item's plan with the states it goes between (for the event, and for access checks). */
export interface PlannedRevertItem {
  itemId: string;
  plan: RevertItemPlan;
  now: ItemDocument | null;
  then: ItemDocument | null;
}

/** A state a patch folded to: the empty object is an absent item (every document has an id, type and name). */
const presentOrNull = (state: object): ItemDocument | null => (Object.keys(state).length === 0 ? null : (state as ItemDocument));

/** The item's state before each event, walking back from the state after the last one; [0] is before the first. */
function statesBefore(after: ItemDocument | null, events: RevertEventInput[]): (ItemDocument | null)[] {
  const states: (ItemDocument | null)[] = [];
  let state = after;
  for (let index = events.length - 1; index >= 0; index--) {
    state = presentOrNull(applyPatch(state, events[index].inverse));
    states[index] = state;
  }
  return states;
}

/** Where the item stood around the reverted changeset, and after every later event. */
interface ItemTimeline {
  /** Before the reverted changeset. */
  before: ItemDocument | null;
  /** Right after it. */
  after: ItemDocument | null;
  /** After each later event, in version order (the last is the current state). */
  laterStates: (ItemDocument | null)[];
}

function timelineOf(input: RevertItemInput): ItemTimeline {
  const laterBefore = statesBefore(input.current, input.later);
  const after = input.later.length > 0 ? laterBefore[0] : input.current;
  const revertedBefore = statesBefore(after, input.reverted);
  const before = input.reverted.length > 0 ? revertedBefore[0] : after;
  const laterStates = input.later.map((_, index) => (index + 1 < input.later.length ? laterBefore[index + 1] : input.current));
  return { before, after, laterStates };
}

/** The later events that changed the value at a leaf (the whole item for []). */
function changedBy(input: RevertItemInput, timeline: ItemTimeline, tokens: readonly string[]): LaterChange[] {
  let previous: ItemDocument | null = timeline.after;
  const changes: LaterChange[] = [];
  input.later.forEach((event, index) => {
    const state = timeline.laterStates[index];
    if (!isDeepStrictEqual(valueAt(previous, tokens), valueAt(state, tokens)))
      changes.push({ version: event.version, changesetId: event.changesetId });
    previous = state;
  });
  return changes;
}

function conflictAt(input: RevertItemInput, timeline: ItemTimeline, tokens: readonly string[], restoring: unknown): RevertConflict {
  const current = valueAt(input.current, tokens);
  return {
    type: input.type,
    name: input.name,
    path: pointerOf(tokens),
    ...(current !== undefined ? { current } : {}),
    ...(restoring !== undefined ? { restoring } : {}),
    changedBy: changedBy(input, timeline, tokens),
  };
}

/** `document` with every leaf given set to its value in `source` (a copy; the inputs are never changed). */
function withLeavesOf(document: ItemDocument, source: ItemDocument | null, leaves: string[][]): ItemDocument {
  const copy = structuredClone(document) as unknown as Record<string, unknown>;
  for (const tokens of leaves) writeLeaf(copy, tokens, valueAt(source, tokens));
  return copy as unknown as ItemDocument;
}

/** The last state the item had while it existed, at or after the reverted changeset. */
function lastLiveState(timeline: ItemTimeline): ItemDocument | null {
  return [timeline.after, ...timeline.laterStates].filter((state) => state !== null).at(-1) ?? null;
}

/** The target state and conflicts of one item; `resolution` undefined leaves conflicting paths as they are. */
function resolve(
  input: RevertItemInput,
  timeline: ItemTimeline,
  resolution: ConflictResolution | undefined,
): { action: RevertAction; then: ItemDocument | null; conflicts: RevertConflict[] } {
  const { before, after } = timeline;
  const now = input.current;
  const overwrite = resolution === 'overwrite';
  if (after === null) {
    if (before === null) return { action: 'none', then: now, conflicts: [] };
    // the changeset deleted the item: bring it back, unless it was recreated since
    if (now === null) return { action: 'recreate', then: before, conflicts: [] };
    if (isDeepStrictEqual(now, before)) return { action: 'recreate', then: now, conflicts: [] };
    return { action: 'recreate', then: overwrite ? before : now, conflicts: [conflictAt(input, timeline, [], before)] };
  }
  if (before === null) {
    // the changeset created the item: delete it, unless it changed since
    if (now === null) return { action: 'none', then: null, conflicts: [] };
    const conflicts = changedLeaves(after, now).map((tokens) => conflictAt(input, timeline, tokens, undefined));
    return { action: 'delete', then: conflicts.length === 0 || overwrite ? null : now, conflicts };
  }
  const leaves = changedLeaves(after, before);
  if (leaves.length === 0) return { action: 'none', then: now, conflicts: [] };
  if (now === null) {
    // modified, then deleted since: bringing the item back is the caller's call
    const revived = withLeavesOf(lastLiveState(timeline)!, before, leaves);
    return { action: 'revert', then: overwrite ? revived : null, conflicts: [conflictAt(input, timeline, [], revived)] };
  }
  // a path is the changeset's still when it holds the value the changeset left, under the same parents
  const conflicting = leaves.filter(
    (tokens) => !hasParents(now, tokens) || !isDeepStrictEqual(valueAt(now, tokens), valueAt(after, tokens)),
  );
  const written = overwrite ? leaves : leaves.filter((tokens) => !conflicting.includes(tokens));
  return {
    action: 'revert',
    then: withLeavesOf(now, before, written),
    conflicts: conflicting.map((tokens) => conflictAt(input, timeline, tokens, valueAt(before, tokens))),
  };
}

/**
 * Plans the revert of one changeset, item by item, from its events, the events since and the states now
 * (pure: no I/O). Each path the changeset changed goes back to its value before the changeset; paths and
 * items it did not touch keep what later changes made them. Where a later change left a path other than
 * the changeset did, that is a conflict: reported, and resolved only as `resolution` says (left as it
 * is when none is given).
 */
export function planRevert(items: RevertItemInput[], resolution?: ConflictResolution): PlannedRevertItem[] {
  return items.map((input) => {
    const { action, then, conflicts } = resolve(input, timelineOf(input), resolution);
    const patch = diffStates(input.current, then);
    return {
      itemId: input.itemId,
      plan: { type: input.type, name: input.name, action, fromVersion: input.version, patch, conflicts },
      now: input.current,
      then,
    };
  });
}
