import { isDeepStrictEqual } from 'node:util';
import type { ItemDocument } from '../../events/document.js';
import { diffStates, type PatchOperation } from '../../events/patch.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import { byKey } from '../../events/stream-key.js';

/** What to do when the target changed an item since the last promotion from the same source. */
export type OnPromotionConflict = 'refuse' | 'skip' | 'overwrite';

/** What a promotion does to one item: create, update or delete it, or report a conflict. */
export type PromotionAction = 'create' | 'update' | 'delete' | 'conflict';

/** One item of a promotion plan. */
export interface PromotionStep {
  type: string;
  name: string;
  action: PromotionAction;
  /** The target's version before the promotion (absent: the item does not exist there). */
  fromVersion?: number;
  /** RFC 6902, from the target's content now to the source's (the record id, each store's own, left out). */
  patch: PatchOperation[];
  /** On a conflict: what the target changed since the last promotion (from then to now). */
  localPatch?: PatchOperation[];
  /** On a conflict: what was done with it (`refuse` leaves none: the promotion is refused). */
  resolution?: 'skipped' | 'overwritten';
}

/** One item to write: its head in the target and the document it becomes (null: deleted). */
export interface PromotionWrite {
  type: string;
  name: string;
  head: (StreamHead & { type: string; name: string }) | null;
  document: ItemDocument | null;
}

export interface PromotionPlan {
  steps: PromotionStep[];
  writes: PromotionWrite[];
  /** Conflicts left unresolved (`onConflict: 'refuse'`): the promotion must not be applied. */
  refused: PromotionStep[];
}

/** What the planner compares, per `type/name` key of the slice. */
export interface PromotionInput {
  /** The source's items at the promoted moment. */
  source: Map<string, ItemDocument>;
  /** The target's heads now (deleted items have a head with a null document). */
  target: Map<string, StreamHead & { type: string; name: string }>;
  /** The target's items right after the last promotion from this source (empty before the first). */
  base: Map<string, ItemDocument>;
  /** Keys the last promotion skipped as conflicts: they stay conflicts while source and target differ. */
  unsettled: ReadonlySet<string>;
  onConflict: OnPromotionConflict;
}

/** `type/name`: the key the three sides are matched by. */
export const promotionKey = (type: string, name: string): string => `${type}/${name}`;

/** A document without its record id: ids are each store's own, the content is what promotes. */
function content(document: ItemDocument | null | undefined): Omit<ItemDocument, 'id'> | null {
  if (!document) return null;
  const { id: _id, ...rest } = document;
  return rest;
}

const sameContent = (a: ItemDocument | null | undefined, b: ItemDocument | null | undefined) => isDeepStrictEqual(content(a), content(b));

/**
 * Three-way plan per item: source (the moment promoted), target (now) and base (the target right after
 * the last promotion from this source). Equal source and target: nothing to do. A target still at its
 * base: it takes the source's content (create, update or delete). A target that moved away from its
 * base (a local change, or an item the target has that no promotion brought): a conflict, resolved by
 * `onConflict`; an item skipped last time stays a conflict until source and target agree. Pure: the caller reads the three sides and writes the result.
 */
export function planPromotion(input: PromotionInput): PromotionPlan {
  const plan: PromotionPlan = { steps: [], writes: [], refused: [] };
  const keys = new Set([...input.source.keys(), ...[...input.target].filter(([, head]) => head.document).map(([key]) => key)]);
  for (const key of keys) {
    const wanted = input.source.get(key) ?? null;
    const head = input.target.get(key) ?? null;
    const now = head?.document ?? null;
    if (sameContent(wanted, now)) continue;
    const { type, name } = wanted ?? now!;
    const patch = diffStates(content(now), content(wanted));
    const fromVersion = now ? head!.version : undefined;
    // the target's own id stays; a new item takes the source's
    const document = wanted && now ? { ...wanted, id: now.id } : wanted;
    const write: PromotionWrite = { type, name, head, document };
    const base = input.base.get(key) ?? null;
    if (!input.unsettled.has(key) && sameContent(now, base)) {
      plan.steps.push({ type, name, action: !now ? 'create' : !wanted ? 'delete' : 'update', fromVersion, patch });
      plan.writes.push(write);
      continue;
    }
    const conflict: PromotionStep = {
      type,
      name,
      action: 'conflict',
      fromVersion,
      patch,
      localPatch: diffStates(content(base), content(now)),
    };
    if (input.onConflict === 'refuse') plan.refused.push(conflict);
    else if (input.onConflict === 'skip') conflict.resolution = 'skipped';
    else {
      conflict.resolution = 'overwritten';
      plan.writes.push(write);
    }
    plan.steps.push(conflict);
  }
  plan.steps.sort(byKey);
  plan.refused.sort(byKey);
  return plan;
}
