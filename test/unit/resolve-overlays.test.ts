import { describe, expect, it } from 'vitest';
import type { MetadataScope, StrictMetadataRecord } from '../../src/protocol/index.js';
import {
  describeLayer,
  effectiveRecord,
  layersEtag,
  resolveLayers,
  type FoundItem,
  type OverlayLookup,
} from '../../src/service/resolve-overlays.js';

// Overlay resolution over an in-memory lookup: which layers an item has, in which order, and what the
// effective record is — no loader, no database.
function item(name: string, scope: MetadataScope, metadata: Record<string, unknown>, extra: Partial<StrictMetadataRecord> = {}): FoundItem {
  const record = {
    type: 'object',
    name,
    namespace: 'crm',
    scope,
    metadata,
    strategy: 'merge',
    state: 'active',
    ...extra,
  } as StrictMetadataRecord;
  return { record, etag: `"${name}"`, loader: scope === 'system' ? 'file' : 'database' };
}

function lookupOf(items: FoundItem[]): OverlayLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async find(name) {
      calls.push(`find ${name}`);
      return items.find((found) => found.record.name === name);
    },
    async overlaysOf(names, scope, owner) {
      calls.push(`overlays ${scope}${owner ? ` of ${owner}` : ''}`);
      return items.filter(
        (found) =>
          found.record.scope === scope &&
          found.record.extends !== undefined &&
          names.includes(found.record.extends) &&
          (scope !== 'user' || found.record.owner === owner),
      );
    },
  };
}

const base = item('account', 'system', { label: 'Account', fields: { name: { type: 'text' }, size: { type: 'number' } } });
const platform = item('account_crm', 'platform', { fields: { size: null, region: { type: 'text' } } }, { extends: 'account' });
const mine = item('account_alice', 'user', { label: 'My accounts' }, { extends: 'account_crm', owner: 'alice' });
const theirs = item('account_bob', 'user', { label: 'Bob' }, { extends: 'account_crm', owner: 'bob' });

describe('resolveLayers', () => {
  it('walks up extends to the base, then down through platform overlays and the owner’s user overlays', async () => {
    const lookup = lookupOf([base, platform, mine, theirs]);
    const layers = await resolveLayers(base, lookup, 'alice');
    expect(layers.map((layer) => layer.record.name)).toEqual(['account', 'account_crm', 'account_alice']);
    const fromOverlay = await resolveLayers(platform, lookupOf([base, platform, mine, theirs]), 'bob');
    expect(fromOverlay.map((layer) => layer.record.name)).toEqual(['account', 'account_crm', 'account_bob']);
  });

  it('asks for no user overlays without an owner', async () => {
    const lookup = lookupOf([base, platform, mine]);
    expect((await resolveLayers(base, lookup)).map((layer) => layer.record.name)).toEqual(['account', 'account_crm']);
    expect(lookup.calls).toEqual(['overlays platform']);
  });

  it('refuses a cycle and a missing parent with typed errors', async () => {
    const a = item('a', 'platform', {}, { extends: 'b' });
    const b = item('b', 'platform', {}, { extends: 'a' });
    await expect(resolveLayers(a, lookupOf([a, b]))).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(resolveLayers(item('c', 'platform', {}, { extends: 'gone' }), lookupOf([]))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('effectiveRecord and its etag', () => {
  it('merges each layer by its strategy (RFC 7386 merge, null removes) under the requested envelope', () => {
    const record = effectiveRecord(mine.record, [base, platform, mine]);
    expect(record.name).toBe('account_alice');
    expect(record.metadata).toEqual({ label: 'My accounts', fields: { name: { type: 'text' }, region: { type: 'text' } } });
    const replacing = item('account_alice', 'user', { only: true }, { extends: 'account_crm', owner: 'alice', strategy: 'replace' });
    expect(effectiveRecord(replacing.record, [base, platform, replacing]).metadata).toEqual({ only: true });
  });

  it('leaves the layers untouched', () => {
    const before = structuredClone([base, platform, mine]);
    effectiveRecord(mine.record, [base, platform, mine]);
    expect([base, platform, mine]).toEqual(before);
  });

  it('keeps a plain item’s etag, and gives layered items one that changes with any layer', () => {
    expect(layersEtag([base])).toBe('"account"');
    const layered = layersEtag([base, platform]);
    expect(layered).toMatch(/^"o[0-9a-f]{31}"$/);
    expect(layersEtag([base, { ...platform, etag: '"changed"' }])).not.toBe(layered);
  });

  it('describes a layer by loader, name, scope, strategy and etag', () => {
    expect(describeLayer({ ...platform, record: { ...platform.record, version: 3 } })).toEqual({
      loader: 'database',
      name: 'account_crm',
      scope: 'platform',
      strategy: 'merge',
      etag: '"account_crm"',
      version: 3,
    });
  });
});
