import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changedLeaves, pointerOf, valueAt, writeLeaf } from '../../src/change/revert/leaf-paths.js';
import { planRevert, type RevertEventInput, type RevertItemInput } from '../../src/change/revert/plan-revert.js';
import type { EventKind, ItemDocument } from '../../src/events/document.js';
import { applyPatch, diffStates } from '../../src/events/patch.js';
import { isPlainObject } from '../../src/protocol/json.js';

/*
 * The revert planner, given / when / then over generated histories: an item goes through a list of
 * states (null: absent); one contiguous run of its events is "the changeset"; the events after it are
 * later changes. Keys include JSON-pointer escapes and __proto__, values nest objects and arrays.
 */

type State = ItemDocument | null;

const key = fc.constantFrom('a', 'b', 'c', 'x/y', 'm~n', '__proto__');
const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('s', 't'), fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
}));
// through JSON, as documents come from the database: plain prototypes, `__proto__` an own member
const document = fc.record({ metadata: fc.dictionary(key, value, { maxKeys: 4 }), state: fc.constantFrom('draft', 'active') }).map(
  (fields) =>
    JSON.parse(
      JSON.stringify({
        id: 'i-1',
        type: 'object',
        name: 'account',
        namespace: 'default',
        scope: 'platform',
        strategy: 'merge',
        ...fields,
      }),
    ) as ItemDocument,
);
/** A leaf write under metadata: a path of one to three keys, and a value (undefined removes it). */
const edit = fc.record({
  path: fc.array(key, { minLength: 1, maxLength: 3 }),
  value: fc.option(value, { nil: undefined }).map((written) => (written === undefined ? undefined : JSON.parse(JSON.stringify(written)))),
});

/** The document with the edits applied under `metadata` (a copy). */
function edited(state: ItemDocument, edits: { path: string[]; value: unknown }[], keys?: string[]): ItemDocument {
  const copy = structuredClone(state) as unknown as Record<string, unknown>;
  for (const { path, value: written } of edits) {
    const tokens = keys ? [keys[path.length % keys.length], ...path.slice(1)] : path;
    writeLeaf(copy, ['metadata', ...tokens], written);
  }
  return copy as unknown as ItemDocument;
}

/** A next state: a new document, an edit of the last one, or absent. */
const nextState = (previous: State) =>
  fc.oneof(
    {
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => (previous ? edited(previous, edits) : previous)),
      weight: 3,
    },
    { arbitrary: document, weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
  );

/** An item's states s0 … sn; each step is one event, steps with no change are left out (the store writes none). */
const states = fc
  .tuple(fc.option(document, { nil: null }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }))
  .chain(([first, seeds]) =>
    seeds.reduce<fc.Arbitrary<State[]>>(
      (chain) => chain.chain((list) => nextState(list[list.length - 1]).map((state) => [...list, state])),
      fc.constant([first]),
    ),
  )
  .map((list) => list.filter((state, index) => index === 0 || !isDeepStrictEqual(state, list[index - 1])))
  .filter((list) => list.length >= 2);

const kindOf = (before: State, after: State): EventKind => (after === null ? 'deleted' : before === null ? 'created' : 'updated');

/** The events from each state to the next, as the log stores them (versions from 1). */
function eventsOf(list: State[], changesetOf: (index: number) => string): RevertEventInput[] {
  return list.slice(1).map((after, index) => ({
    version: index + 1,
    kind: kindOf(list[index], after),
    inverse: diffStates(after, list[index]),
    changesetId: changesetOf(index),
  }));
}

/** The item with events [from, to) as the reverted changeset and the rest after it as later changes. */
function itemOf(list: State[], from: number, to: number): RevertItemInput {
  const events = eventsOf(list, (index) => (index >= from && index < to ? 'reverted' : `later-${index}`));
  return {
    itemId: 'item-1',
    type: 'object',
    name: 'account',
    version: events.length,
    current: list[list.length - 1],
    reverted: events.slice(from, to),
    later: events.slice(to),
  };
}

/** A history and a run of its events to revert. */
const history = states.chain((list) =>
  fc
    .tuple(fc.nat({ max: list.length - 2 }), fc.nat({ max: list.length - 2 }))
    .map(([a, b]) => ({ list, from: Math.min(a, b), to: Math.max(a, b) + 1 })),
);

describe('planRevert', () => {
  it('with no later change, a revert restores the state before the changeset exactly, and reverting that restores the state after it', () => {
    fc.assert(
      fc.property(history, ({ list, from, to }) => {
        const kept = list.slice(0, to + 1); // nothing after the changeset
        const [planned] = planRevert([itemOf(kept, from, to)]);
        expect(planned.plan.conflicts).toEqual([]);
        expect(planned.then).toEqual(list[from]);
        expect(applyPatch(planned.now, planned.plan.patch)).toEqual(planned.then ?? {});
        // the revert is a changeset like any other: reverting it gives the state after the original back
        const reverted = planned.then;
        if (isDeepStrictEqual(reverted, kept[kept.length - 1])) return;
        const [again] = planRevert([itemOf([...kept, reverted], kept.length - 1, kept.length)]);
        expect(again.then).toEqual(list[to]);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('keeps later changes to other paths and reverts the changeset under them, without conflicts', () => {
    const case_ = fc.record({
      base: document,
      mine: fc.array(edit, { minLength: 1, maxLength: 4 }),
      theirs: fc.array(edit, { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(case_, ({ base, mine, theirs }) => {
        // the changeset writes only under metadata keys a and b, the later change only under c and x/y
        const after = edited(base, mine, ['a', 'b']);
        const current = edited(after, theirs, ['c', 'x/y']);
        const list = [base, after, current].filter((state, index, all) => index === 0 || !isDeepStrictEqual(state, all[index - 1]));
        if (list.length < 2 || !isDeepStrictEqual(list[1], after)) return;
        const [planned] = planRevert([itemOf(list, 0, 1)]);
        expect(planned.plan.conflicts).toEqual([]);
        for (const top of ['a', 'b']) expect(valueAt(planned.then, ['metadata', top])).toEqual(valueAt(base, ['metadata', top]));
        for (const top of ['c', 'x/y']) expect(valueAt(planned.then, ['metadata', top])).toEqual(valueAt(current, ['metadata', top]));
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('reports exactly the paths a later change left otherwise, and skip keeps them while overwrite restores them', () => {
    fc.assert(
      fc.property(history, ({ list, from, to }) => {
        const before = list[from];
        const after = list[to];
        const current = list[list.length - 1];
        const item = itemOf(list, from, to);
        const [refused] = planRevert([item]);
        const [skipped] = planRevert([item], 'skip');
        const [overwritten] = planRevert([item], 'overwrite');
        expect(skipped.plan.conflicts).toEqual(refused.plan.conflicts);
        expect(overwritten.plan.conflicts).toEqual(refused.plan.conflicts);
        expect(refused.then).toEqual(skipped.then);
        for (const conflict of refused.plan.conflicts) {
          const tokens =
            conflict.path === ''
              ? []
              : conflict.path
                  .slice(1)
                  .split('/')
                  .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
          expect(pointerOf(tokens)).toBe(conflict.path);
          if (tokens.length > 0) {
            expect(conflict.current).toEqual(valueAt(current, tokens));
            const parentGone = !isPlainObject(valueAt(current, tokens.slice(0, -1)));
            expect(parentGone || !isDeepStrictEqual(valueAt(current, tokens), valueAt(after, tokens))).toBe(true);
            expect(valueAt(skipped.then, tokens)).toEqual(valueAt(current, tokens));
          }
          // the later events named are exactly those that changed the path
          const named = conflict.changedBy.map((change) => change.version);
          const changing = item.later
            .filter((event) => !isDeepStrictEqual(valueAt(list[event.version - 1], tokens), valueAt(list[event.version], tokens)))
            .map((event) => event.version);
          expect(named).toEqual(changing);
        }
        if (before !== null && after !== null) {
          // every path the changeset changed: restored, unless it conflicts and was skipped
          const conflicting = new Set(refused.plan.conflicts.map((conflict) => conflict.path));
          for (const tokens of changedLeaves(after, before)) {
            const expected = (then: State) => expect(valueAt(then, tokens)).toEqual(valueAt(before, tokens));
            expected(overwritten.then);
            if (current !== null && !conflicting.has(pointerOf(tokens))) expected(skipped.then);
            const changedSince =
              !isPlainObject(valueAt(current, tokens.slice(0, -1))) || !isDeepStrictEqual(valueAt(current, tokens), valueAt(after, tokens));
            if (current !== null) expect(conflicting.has(pointerOf(tokens))).toBe(changedSince);
          }
          // paths the changeset did not change keep their current value (unless the item is gone)
          if (current !== null)
            for (const tokens of changedLeaves(current, skipped.then))
              expect(changedLeaves(after, before).some((changed) => isDeepStrictEqual(changed, tokens))).toBe(true);
        }
        if (after !== null && before === null && current !== null) {
          // a created item is deleted only when nothing changed it since (or when told to overwrite)
          expect(overwritten.then).toBeNull();
          expect(skipped.then === null).toBe(isDeepStrictEqual(current, after));
        }
        if (after === null && before !== null) expect(overwritten.then).toEqual(before);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('plans the items of a changeset independently', () => {
    fc.assert(
      fc.property(fc.array(history, { minLength: 1, maxLength: 5 }), (histories) => {
        const items = histories.map(({ list, from, to }, index) => ({
          ...itemOf(list, from, to),
          itemId: `item-${index}`,
          name: `n${index}`,
        }));
        const together = planRevert(items, 'skip');
        expect(together.map((planned) => planned.itemId)).toEqual(items.map((item) => item.itemId));
        items.forEach((item, index) => expect(together[index].then).toEqual(planRevert([item], 'skip')[0].then));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
