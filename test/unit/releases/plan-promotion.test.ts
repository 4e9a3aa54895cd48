import { describe, expect, it } from 'vitest';
import type { ItemDocument } from '../../../src/events/document.js';
import type { StreamHead } from '../../../src/events/read-stream-head.js';
import { planPromotion, promotionKey, type OnPromotionConflict } from '../../../src/change/releases/plan-promotion.js';

const doc = (name: string, label: string, id = `id-${name}`): ItemDocument => ({
  id,
  type: 'object',
  name,
  namespace: 'default',
  scope: 'platform',
  metadata: { label },
  strategy: 'merge',
  state: 'active',
});

const head = (document: ItemDocument | null, version = 1, name = document?.name ?? '?'): StreamHead & { type: string; name: string } => ({
  itemId: `item-${name}`,
  type: 'object',
  name,
  version,
  hash: 'h',
  document,
});

const byKey = <T extends { name: string }>(entries: T[]) => new Map(entries.map((entry) => [promotionKey('object', entry.name), entry]));

function plan(
  source: ItemDocument[],
  target: (StreamHead & { type: string; name: string })[],
  base: ItemDocument[],
  onConflict: OnPromotionConflict = 'refuse',
  unsettled: string[] = [],
) {
  return planPromotion({ source: byKey(source), target: byKey(target), base: byKey(base), unsettled: new Set(unsettled), onConflict });
}

describe('planPromotion', () => {
  it('creates, updates and deletes items the target did not change since the last promotion', () => {
    const result = plan(
      [doc('new', 'New'), doc('changed', 'After')],
      [head(doc('changed', 'Before', 'target-id'), 3), head(doc('gone', 'Gone'), 2)],
      [doc('changed', 'Before', 'target-id'), doc('gone', 'Gone')],
    );
    expect(result.steps.map((step) => [step.name, step.action, step.fromVersion])).toEqual([
      ['changed', 'update', 3],
      ['gone', 'delete', 2],
      ['new', 'create', undefined],
    ]);
    expect(result.steps[0].patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'After' }]);
    // the target keeps its own record id; a new item takes the source's
    expect(result.writes.map((write) => [write.name, write.document?.id ?? null])).toEqual([
      ['new', 'id-new'],
      ['changed', 'target-id'],
      ['gone', null],
    ]);
    expect(result.refused).toEqual([]);
  });

  it('ignores record ids and items already equal, and recreates a deleted item', () => {
    const result = plan(
      [doc('same', 'Same', 'source-id'), doc('back', 'Back')],
      [head(doc('same', 'Same', 'target-id')), head(null, 4, 'back')],
      [],
    );
    expect(result.steps.map((step) => [step.name, step.action, step.fromVersion])).toEqual([['back', 'create', undefined]]);
    expect(result.writes[0].head?.version).toBe(4);
  });

  it('reports an item changed in the target since the last promotion as a conflict, resolved as asked', () => {
    const source = [doc('x', 'Source')];
    const target = [head(doc('x', 'Local'), 2), head(doc('local-only', 'Mine'))];
    const base = [doc('x', 'Promoted')];
    const refused = plan(source, target, base);
    expect(refused.refused.map((step) => step.name)).toEqual(['local-only', 'x']);
    expect(refused.writes).toEqual([]);
    expect(refused.steps[1].localPatch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Local' }]);
    const skipped = plan(source, target, base, 'skip');
    expect(skipped.refused).toEqual([]);
    expect(skipped.writes).toEqual([]);
    expect(skipped.steps.map((step) => step.resolution)).toEqual(['skipped', 'skipped']);
    const overwritten = plan(source, target, base, 'overwrite');
    expect(overwritten.writes.map((write) => [write.name, write.document?.metadata.label ?? null])).toEqual([
      ['x', 'Source'],
      ['local-only', null],
    ]);
  });

  it('keeps an item skipped last time a conflict, though the target still matches its base', () => {
    const result = plan([doc('x', 'Source')], [head(doc('x', 'Local'))], [doc('x', 'Local')], 'refuse', ['object/x']);
    expect(result.refused.map((step) => step.name)).toEqual(['x']);
    expect(plan([doc('x', 'Local')], [head(doc('x', 'Local'))], [doc('x', 'Local')], 'refuse', ['object/x']).steps).toEqual([]);
  });

  it('on a first promotion, an item the target has and the source lacks or differs on is a conflict', () => {
    const result = plan([doc('a', 'Source')], [head(doc('a', 'Target'))], []);
    expect(result.refused.map((step) => step.action)).toEqual(['conflict']);
  });
});
