import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMetaledgerError, operatorPrincipal, promote, PromotionConflictError, type MetadataStore } from '../../../src/index.js';
import { exportBundle, readExportSnapshot } from '../../../src/service/export/export-metadata.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-store.js';

let sourceDb: TestDatabase;
let targetDb: TestDatabase;
let source: MetadataStore;
let target: MetadataStore;

const eventCount = async () => Number((await targetDb.query<{ n: string }>('SELECT count(*) AS n FROM metadata_events'))[0].n);
const label = async (name: string) => (await target.load('object', name)).data?.metadata.label;

beforeAll(async () => {
  sourceDb = await createTestDatabase('promote_source');
  source = await sourceDb.open();
  targetDb = await createTestDatabase('promote_target');
  target = await targetDb.open();
  await source.save('object', { name: 'account', metadata: { label: 'Account' } });
  await source.save('object', { name: 'contact', metadata: { label: 'Contact' } });
  await source.save('object', { name: 'other', namespace: 'crm', metadata: { label: 'Elsewhere' } });
  await source.tag('r1', { message: 'first release' });
}, 120_000);
afterAll(() => Promise.all([sourceDb.dispose(), targetDb.dispose()]));

describe('promote', () => {
  it('plans on a dry run, then applies one changeset that records the source and its position', async () => {
    const dry = await promote({ from: source, to: target, at: { tag: 'r1' }, namespace: 'default', dryRun: true });
    expect(dry.steps.map((step) => [step.name, step.action])).toEqual([
      ['account', 'create'],
      ['contact', 'create'],
    ]);
    expect(await eventCount()).toBe(0);
    const applied = await promote({
      from: source,
      to: target,
      at: 'tag:r1',
      namespace: 'default',
      actor: 'release-bot',
      sourceName: 'staging',
    });
    expect(applied).toMatchObject({ source: 'staging', tag: 'r1', dryRun: false, alreadyPromoted: false });
    expect(await label('account')).toBe('Account');
    const [changeset] = await targetDb.query<{ source: string; actor: string; reason: string; target: unknown; event_count: number }>(
      'SELECT source, actor, reason, target, event_count FROM metadata_changesets WHERE id = $1',
      [applied.changesetId],
    );
    expect(changeset).toEqual({
      source: 'promote',
      actor: 'release-bot',
      reason: 'promote tag r1 from staging',
      target: { promotion: { from: 'staging', position: applied.position, tag: 'r1', namespace: 'default', types: null, skipped: [] } },
      event_count: 2,
    });
    const history = await target.history('object', 'account');
    expect(history.events[0]).toMatchObject({ source: 'promote', changesetId: applied.changesetId });
    expect((await target.verify()).ok).toBe(true);
  });

  it('writes nothing when the same position is promoted again', async () => {
    const before = await eventCount();
    const again = await promote({ from: source, to: target, at: { tag: 'r1' }, namespace: 'default', sourceName: 'staging' });
    expect(again).toMatchObject({ alreadyPromoted: true, steps: [] });
    expect(again.changesetId).toBeUndefined();
    expect(await eventCount()).toBe(before);
  });

  it('carries updates, deletes and creates of the next release', async () => {
    await source.save('object', { name: 'account', metadata: { label: 'Customer' } });
    await source.delete('object', 'contact');
    await source.save('view', { name: 'accounts', metadata: { columns: ['name'] } });
    await source.tag('r2');
    const result = await promote({ from: source, to: target, at: 'r2', namespace: 'default', sourceName: 'staging' });
    expect(result.steps.map((step) => [step.type, step.name, step.action])).toEqual([
      ['object', 'account', 'update'],
      ['object', 'contact', 'delete'],
      ['view', 'accounts', 'create'],
    ]);
    expect(result.steps[0].patch).toEqual([{ op: 'replace', path: '/metadata/label', value: 'Customer' }]);
    expect(await label('account')).toBe('Customer');
    expect(await target.exists('object', 'contact')).toBe(false);
  });

  it('refuses when the target changed an item since the last promotion, unless told to skip or overwrite', async () => {
    await target.save('object', { name: 'account', metadata: { label: 'Hotfix in production' } });
    await source.save('object', { name: 'account', metadata: { label: 'Customer account' } });
    await source.save('object', { name: 'lead', metadata: { label: 'Lead' } });
    const before = await eventCount();
    const refused = await promote({ from: source, to: target, namespace: 'default', sourceName: 'staging' }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PromotionConflictError);
    expect((refused as PromotionConflictError).conflicts.map((step) => step.name)).toEqual(['account']);
    expect(await eventCount()).toBe(before);
    const skipped = await promote({ from: source, to: target, namespace: 'default', sourceName: 'staging', onConflict: 'skip' });
    expect(skipped.steps.map((step) => [step.name, step.action, step.resolution])).toEqual([
      ['account', 'conflict', 'skipped'],
      ['lead', 'create', undefined],
    ]);
    expect(await label('account')).toBe('Hotfix in production');
    const [recorded] = await targetDb.query<{ target: { promotion: { skipped: string[] } } }>(
      'SELECT target FROM metadata_changesets WHERE id = $1',
      [skipped.changesetId],
    );
    expect(recorded.target.promotion.skipped).toEqual(['object/account']);
    // still a conflict next time: skipping did not make the local change the new base
    await source.save('object', { name: 'account', metadata: { label: 'Customer account v2' } });
    await expect(promote({ from: source, to: target, namespace: 'default', sourceName: 'staging' })).rejects.toBeInstanceOf(
      PromotionConflictError,
    );
    const overwritten = await promote({ from: source, to: target, namespace: 'default', sourceName: 'staging', onConflict: 'overwrite' });
    expect(overwritten.steps.map((step) => [step.name, step.resolution])).toEqual([['account', 'overwritten']]);
    expect(await label('account')).toBe('Customer account v2');
  });

  it('promotes an export document, its position recorded', async () => {
    const freshDb = await createTestDatabase('promote_document');
    try {
      const fresh = await freshDb.open();
      const { items, position } = await readExportSnapshot(source, {
        namespaces: ['default'],
        includeHistory: false,
        principal: operatorPrincipal(),
      });
      const document = JSON.parse(JSON.stringify(exportBundle(items, position)));
      const result = await promote({ from: document, to: fresh, sourceName: 'backup.json' });
      expect(result.position).toBe(position);
      expect(result.steps.every((step) => step.action === 'create')).toBe(true);
      expect((await fresh.load('object', 'account')).data?.metadata.label).toBe('Customer account v2');
      expect((await promote({ from: document, to: fresh, sourceName: 'backup.json' })).alreadyPromoted).toBe(true);
      await expect(promote({ from: document, to: fresh, at: '1' })).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(promote({ from: { ...document, items: [{ nope: true }] }, to: fresh })).rejects.toMatchObject({ code: 'VALIDATION' });
    } finally {
      await freshDb.dispose();
    }
  });

  it('never loses a local edit racing a promotion: it is a conflict, or it comes after', async () => {
    for (let round = 0; round < 5; round++) {
      await source.save('object', { name: 'raced', metadata: { label: `source ${round}` } });
      await promote({ from: source, to: target, namespace: 'default', sourceName: 'staging', onConflict: 'overwrite' });
      await source.save('object', { name: 'raced', metadata: { label: `source ${round}b` } });
      const local = `local ${round}`;
      const [promotion, edits] = await Promise.all([
        promote({ from: source, to: target, namespace: 'default', sourceName: 'staging' }).then(
          (result) => result,
          (error: unknown) => error,
        ),
        Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            target.update('object', 'raced', (current) => ({ ...current, metadata: { label: local, i } })),
          ),
        ),
      ]);
      const final = (await target.load('object', 'raced')).data!;
      if (promotion instanceof Error) {
        expect(promotion).toBeInstanceOf(PromotionConflictError);
        expect(final.metadata.label).toBe(local);
      } else {
        // the promotion came first: every local edit was applied on top of it
        const events = (await target.history('object', 'raced', { limit: 10 })).events;
        expect(events.slice(0, 4).every((event) => event.source !== 'promote')).toBe(true);
        expect(final.metadata.label).toBe(local);
      }
      expect(edits).toHaveLength(4);
      // reconcile for the next round
      await promote({ from: source, to: target, namespace: 'default', sourceName: 'staging', onConflict: 'overwrite' });
    }
    expect((await target.verify()).ok).toBe(true);
  });

  it('refuses hostile options with a typed error, writing nothing', async () => {
    const before = await eventCount();
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            at: fc.oneof(fc.string(), fc.anything()),
            namespace: fc.anything(),
            types: fc.anything(),
            onConflict: fc.oneof(fc.constantFrom('skip', 'refuse', 'bogus'), fc.anything()),
            sourceName: fc.oneof(fc.string(), fc.anything()),
            extra: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          const outcome = await promote({ from: source, to: target, dryRun: true, ...(options as object) }).then(
            () => 'planned',
            (error: unknown) => error,
          );
          if (outcome !== 'planned') expect(isMetaledgerError(outcome)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    await expect(promote({ from: 42 as never, to: target })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(promote(null as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await eventCount()).toBe(before);
  });
});
