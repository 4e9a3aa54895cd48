import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMetaledgerError } from '../../src/errors.js';
import type { ItemDocument } from '../../src/events/document.js';
import { applyPatch } from '../../src/events/patch.js';
import type { StreamHead } from '../../src/events/read-stream-head.js';
import { planDelete, planSave, type SaveIntent } from '../../src/write/plan-write.js';

// Planning a write is pure: a stream head and an intent in, the event to append (or why not) out.
const policy = { snapshotEvery: 3 };

function document(metadata: Record<string, unknown>, extra: Partial<ItemDocument> = {}): ItemDocument {
  return {
    id: 'id-1',
    type: 'object',
    name: 'account',
    namespace: 'crm',
    scope: 'platform',
    metadata,
    strategy: 'merge',
    state: 'active',
    ...extra,
  };
}

function head(version: number, current: ItemDocument | null): StreamHead {
  return { itemId: 'item-1', version, hash: `hash-${version}`, document: current };
}

function intent(metadata: Record<string, unknown>, overrides: Partial<SaveIntent> = {}): SaveIntent {
  const { id: _id, ...rest } = document(metadata);
  return {
    document: rest,
    providedKeys: new Set(['name', 'metadata']),
    onConflict: 'replace',
    create: true,
    overwrite: true,
    ...overrides,
  };
}

describe('planSave', () => {
  it('plans a created event at version 1 for an item with no stream, with a snapshot and no previous hash', () => {
    const plan = planSave('object', 'account', null, intent({ label: 'Account' }), policy);
    expect(plan.action).toBe('write');
    if (plan.action !== 'write') return;
    expect(plan.event).toMatchObject({ type: 'object', name: 'account', version: 1, kind: 'created', prevHash: null });
    expect(plan.event.snapshot).toEqual(plan.event.document);
    expect(plan.event.document?.id).toBe(plan.event.itemId);
    expect(applyPatch(null, plan.event.patch)).toEqual(plan.event.document);
  });

  it('plans an updated event chained to the head, whose patch takes the head to the new document and back', () => {
    const current = document({ label: 'Account' });
    const plan = planSave('object', 'account', head(1, current), intent({ label: 'Customer' }), policy);
    if (plan.action !== 'write') throw new Error(`expected a write, got ${plan.action}`);
    expect(plan.event).toMatchObject({ itemId: 'item-1', version: 2, kind: 'updated', prevHash: 'hash-1', snapshot: null });
    expect(plan.event.document?.id).toBe('id-1');
    expect(applyPatch(current, plan.event.patch)).toEqual(plan.event.document);
    expect(applyPatch(plan.event.document, plan.event.inverse)).toEqual(current);
  });

  it('keeps a full snapshot every snapshotEvery versions', () => {
    const plan = planSave('object', 'account', head(2, document({ label: 'A' })), intent({ label: 'B' }), policy);
    expect(plan.action === 'write' && plan.event.version).toBe(3);
    expect(plan.action === 'write' && plan.event.snapshot).toEqual(plan.action === 'write' && plan.event.document);
  });

  it('plans nothing when the document would not change', () => {
    const current = document({ label: 'Account' });
    expect(planSave('object', 'account', head(4, current), intent({ label: 'Account' }), policy)).toEqual({
      action: 'unchanged',
      head: head(4, current),
    });
  });

  it('plans an archived event when the state becomes archived', () => {
    const next = intent({ label: 'A' });
    next.document.state = 'archived';
    const plan = planSave('object', 'account', head(1, document({ label: 'A' })), next, policy);
    expect(plan.action === 'write' && plan.event.kind).toBe('archived');
  });

  it('skips, refuses or overwrites an existing item as onConflict and overwrite say', () => {
    const existing = head(1, document({ label: 'A' }));
    expect(planSave('object', 'account', existing, intent({ label: 'B' }, { onConflict: 'skip' }), policy).action).toBe('skipped');
    for (const refused of [{ onConflict: 'error' as const }, { overwrite: false }]) {
      expect(() => planSave('object', 'account', existing, intent({ label: 'B' }, refused), policy)).toThrow(
        expect.objectContaining({ code: 'CONFLICT' }),
      );
    }
  });

  it('update keeps the envelope keys the caller did not give; replace does not', () => {
    const existing = head(1, document({ label: 'A' }, { owner: 'alice', extends: 'base' }));
    const given = intent({ label: 'B' }, { providedKeys: new Set(['metadata']) });
    delete given.document.owner;
    delete given.document.extends;
    const updated = planSave('object', 'account', existing, { ...given, onConflict: 'update' }, policy);
    expect(updated.action === 'write' && updated.event.document).toMatchObject({
      owner: 'alice',
      extends: 'base',
      metadata: { label: 'B' },
    });
    const replaced = planSave('object', 'account', existing, { ...given, onConflict: 'replace' }, policy);
    expect(replaced.action === 'write' && replaced.event.document).not.toHaveProperty('owner');
  });

  it('refuses to change an item id, and to create when create is false', () => {
    const existing = head(1, document({ label: 'A' }));
    const otherId = intent({ label: 'B' });
    otherId.document.id = 'id-2';
    expect(() => planSave('object', 'account', existing, otherId, policy)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => planSave('object', 'account', null, intent({ label: 'B' }, { create: false }), policy)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('recreates a deleted item on its own stream, as a created event with a snapshot', () => {
    const plan = planSave('object', 'account', head(3, null), intent({ label: 'again' }), policy);
    expect(plan.action === 'write' && plan.event).toMatchObject({ itemId: 'item-1', version: 4, kind: 'created', prevHash: 'hash-3' });
    expect(plan.action === 'write' && plan.event.snapshot).toEqual(plan.action === 'write' && plan.event.document);
  });

  it('accepts exactly the expected version that matches the head (0: must not exist now)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.integer({ min: 0, max: 6 }), (version, deleted, expected) => {
        const current = version === 0 ? null : head(version, deleted ? null : document({ label: 'A' }));
        const matches = expected === 0 ? !current?.document : current?.version === expected;
        const outcome = (() => {
          try {
            return planSave('object', 'account', current, intent({ label: 'B' }, { expectedVersion: expected }), policy).action;
          } catch (error) {
            return isMetaledgerError(error) ? error.code : 'thrown';
          }
        })();
        expect(outcome).toBe(matches ? 'write' : 'CONFLICT');
      }),
    );
  });
});

describe('planDelete', () => {
  it('plans a deleted event that keeps the removed state as its snapshot', () => {
    const current = document({ label: 'A' });
    const event = planDelete('object', 'account', head(5, current), undefined, policy);
    expect(event).toMatchObject({ itemId: 'item-1', version: 6, kind: 'deleted', document: null, snapshot: current, prevHash: 'hash-5' });
    expect(applyPatch(null, event.inverse)).toEqual(current);
  });

  it('refuses to delete what does not exist, or at a version that is not the head', () => {
    expect(() => planDelete('object', 'account', null, undefined, policy)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => planDelete('object', 'account', head(2, null), undefined, policy)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => planDelete('object', 'account', head(2, document({})), 1, policy)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });
});
