import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKinds, type ItemDocument } from '../../src/events/document.js';
import { nextEvent } from '../../src/events/next-event.js';
import { applyPatch } from '../../src/events/patch.js';

// The next event of a stream, for any head and any next state: version + 1, chained to the head's hash,
// patches that go both ways, and a snapshot exactly where time travel needs one.
const anyDocument = fc.record({
  id: fc.constant('id-1'),
  type: fc.constant('object'),
  name: fc.constant('account'),
  namespace: fc.constantFrom('crm', 'sales'),
  scope: fc.constantFrom('system' as const, 'platform' as const, 'user' as const),
  // stored documents are JSON: a generated -0 would come back as 0
  metadata: fc.dictionary(
    fc.string({ maxLength: 4 }),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value))),
  ),
  strategy: fc.constantFrom('merge' as const, 'replace' as const),
  state: fc.constantFrom('draft' as const, 'active' as const, 'archived' as const),
}) as fc.Arbitrary<ItemDocument>;

describe('nextEvent', () => {
  it('follows the head, patches both ways and snapshots on (re)creation, deletion and every N-th version', () => {
    fc.assert(
      fc.property(
        fc.option(fc.record({ version: fc.integer({ min: 1, max: 50 }), document: fc.option(anyDocument) })),
        fc.option(anyDocument),
        fc.constantFrom(...eventKinds),
        fc.integer({ min: 1, max: 10 }),
        (given, next, kind, snapshotEvery) => {
          const head = given && { itemId: 'item-1', version: given.version, hash: `h${given.version}`, document: given.document };
          const previous = head?.document ?? null;
          const event = nextEvent(head, 'object', 'account', kind, next, { snapshotEvery });
          expect(event.version).toBe((head?.version ?? 0) + 1);
          expect(event.prevHash).toBe(head?.hash ?? null);
          if (head) expect(event.itemId).toBe('item-1');
          expect(event.document).toBe(next);
          if (next) expect(applyPatch(previous, event.patch)).toEqual(next);
          if (previous) expect(applyPatch(next, event.inverse)).toEqual(previous);
          const expectedSnapshot = kind === 'deleted' ? previous : previous === null || event.version % snapshotEvery === 0 ? next : null;
          expect(event.snapshot).toBe(expectedSnapshot);
        },
      ),
    );
  });

  it('gives a new stream a new item id each time', () => {
    const a = nextEvent(null, 'object', 'a', 'created', null, { snapshotEvery: 10 });
    const b = nextEvent(null, 'object', 'a', 'created', null, { snapshotEvery: 10 });
    expect(a.itemId).not.toBe(b.itemId);
  });
});
