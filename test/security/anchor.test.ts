import { inlineProjectionCtes } from '../../projections/framework-metadata.js';
import { createHash } from 'node:crypto';
import { internalsOf } from '../../src/store/metadata-store.js';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppendStatement, appendEvents } from '../../src/events/append-events.js';
import { nextEvent } from '../../src/events/next-event.js';
import { toDocument } from '../../src/events/document.js';
import { anchorLineSql } from '../../src/history/statements/anchor.js';
import { isMetaledgerError, type Anchor, type MetadataStore } from '../../src/index.js';
import { backend, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-store.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('anchor');
  store = await database.open({ snapshotEvery: 4 });
});
afterAll(() => database.dispose());

const save = (name: string, n: number) => store.save('object', { name, metadata: { n } });

describe('store.anchor()', () => {
  it('anchors an empty log at position 0', async () => {
    expect(await store.anchor()).toEqual({ position: 0, eventCount: 0, hash: createHash('sha256').digest('hex') });
  });

  it('an auditor recomputes an anchor with SQL and SHA-256 alone', async () => {
    for (let n = 1; n <= 6; n++) await save('audited', n);
    const anchor = await store.anchor();
    const lines = await database.query<{ line: string }>(
      `SELECT ${anchorLineSql} AS line FROM (SELECT * FROM metadata_events WHERE position <= $1) e ORDER BY position`,
      [anchor.position],
    );
    const recomputed = createHash('sha256')
      .update(lines.map((l) => `${l.line}\n`).join(''))
      .digest('hex');
    expect(anchor).toEqual({ position: expect.any(Number), eventCount: lines.length, hash: recomputed });
  });

  it('stays valid while the log grows and through pruning and compaction', async () => {
    for (let n = 1; n <= 9; n++) await save('grows', n);
    const anchor = await store.anchor();
    for (let n = 10; n <= 20; n++) await save('grows', n);
    await store.delete('object', 'grows');
    await store.compactSnapshots({ every: 2 });
    const pruned = await store.prune({ before: new Date(Date.now() + 60_000), keepVersions: 2 });
    expect(pruned.eventsRemoved).toBeGreaterThan(10);
    const report = await store.verify({ anchor });
    expect(report.problems).toEqual([]);
    expect(report.anchor).toEqual({ ...anchor, matches: true });
    // and a new anchor after the prune covers the pruned events the same way
    const later = await store.anchor();
    expect(later.eventCount).toBeGreaterThan(anchor.eventCount);
    expect((await store.verify({ anchor: later })).ok).toBe(true);
  });

  it('concurrent writers: every anchor taken meanwhile still verifies afterwards', async () => {
    const anchors: Anchor[] = [];
    let writing = true;
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let n = 0; n < 15; n++) await save(`w${w}`, n);
    });
    const anchoring = (async () => {
      while (writing) anchors.push(await store.anchor());
    })();
    await Promise.all(writers);
    writing = false;
    await anchoring;
    anchors.push(await store.anchor());
    expect(anchors.length).toBeGreaterThan(1);
    for (let i = 1; i < anchors.length; i++) {
      expect(anchors[i].position).toBeGreaterThanOrEqual(anchors[i - 1].position);
      expect(anchors[i].eventCount).toBeGreaterThanOrEqual(anchors[i - 1].eventCount);
    }
    for (const anchor of anchors) expect((await store.verify({ anchor })).problems).toEqual([]);
  });

  it.skipIf(backend === 'pglite')('waits for a write in flight, so a late commit never changes an anchor', async () => {
    await save('in_flight', 1);
    const head = (
      await database.query<{ item_id: string; version: number; hash: string; document: never }>(
        `SELECT item_id, version, hash, document FROM metadata_streams WHERE name = 'in_flight'`,
      )
    )[0];
    const writer = new pg.Client({ connectionString: databaseUrl(), options: `-c search_path=${database.schema} -c timezone=UTC` });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      const event = nextEvent(
        { itemId: head.item_id, version: head.version, hash: head.hash, document: head.document },
        'object',
        'in_flight',
        'updated',
        toDocument({ ...(head.document as object), metadata: { n: 2 } } as never),
        internalsOf(store).snapshotPolicy,
      );
      const statement = buildAppendStatement({
        inlineProjection: inlineProjectionCtes(internalsOf(store).settings.table),
        notice: { schema: internalsOf(store).datasource.schema, origin: 'a writer beside the store' },
      });
      const [appended] = await appendEvents(
        async (text, values) => (await writer.query(text, values)).rows as never,
        statement,
        { id: crypto.randomUUID(), source: 'api' },
        [event],
      );
      let anchored: Anchor | undefined;
      const anchoring = store.anchor().then((anchor) => (anchored = anchor));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(anchored, 'the anchor waits while a write is in flight').toBeUndefined();
      await writer.query('COMMIT');
      await anchoring;
      expect(anchored!.position).toBeGreaterThanOrEqual(appended.position);
      expect((await store.verify({ anchor: anchored })).ok).toBe(true);
    } finally {
      await writer.end();
    }
  });

  it('detects a truncated tail and an erased item that a verify without anchor cannot', async () => {
    await save('tail', 1);
    await save('tail', 2);
    const anchor = await store.anchor();
    // the last changeset of the log and its event go, the stream head and row are rewound
    await internalsOf(store).datasource.withScriptTransaction((exec) =>
      exec(`
        CREATE TEMP TABLE gone ON COMMIT DROP AS SELECT changeset_id AS id FROM metadata_events WHERE name = 'tail' AND version = 2;
        DELETE FROM metadata_events WHERE name = 'tail' AND version = 2;
        DELETE FROM metadata_changesets WHERE id IN (SELECT id FROM gone);
        UPDATE metadata_streams s SET version = 1, hash = e.hash, updated_at = e.recorded_at, document = e.snapshot
          FROM metadata_events e WHERE s.name = 'tail' AND e.item_id = s.item_id AND e.version = 1;
        UPDATE _framework_metadata p SET version = 1, metadata = e.snapshot->'metadata', updated_at = e.recorded_at
          FROM metadata_events e WHERE p.name = 'tail' AND e.name = 'tail' AND e.version = 1;`),
    );
    store.clearCache();
    expect((await store.verify()).problems).toEqual([]);
    const report = await store.verify({ anchor });
    expect(report.ok).toBe(false);
    expect(report.anchor).toMatchObject({ matches: false });
    expect(report.problems).toEqual([
      {
        kind: 'anchor_mismatch',
        position: anchor.position,
        detail: expect.stringMatching(/the log now holds \d+: events were removed/),
      },
    ]);
  });
});

describe('verify({ anchor }) input', () => {
  it('refuses anything that is not an anchor with VALIDATION naming the field, and reads nothing', async () => {
    const valid = await store.anchor();
    const notAnchor = fc.oneof(
      fc.anything(),
      fc.record({ position: fc.anything(), eventCount: fc.anything(), hash: fc.anything() }, { requiredKeys: [] }),
      fc.record({
        position: fc.oneof(
          fc.integer({ max: -1 }),
          fc.double().filter((d) => !Number.isSafeInteger(d)),
          fc.constant(2 ** 53),
          fc.string(),
        ),
        eventCount: fc.constant(valid.eventCount),
        hash: fc.constant(valid.hash),
      }),
      fc.record({
        position: fc.constant(valid.position),
        eventCount: fc.constant(valid.eventCount),
        hash: fc.oneof(fc.string(), fc.stringMatching(/^[0-9A-F]{64}$/), fc.stringMatching(/^[0-9a-f]{63}$/)),
      }),
    );
    await fc.assert(
      fc.asyncProperty(notAnchor, async (anchor) => {
        fc.pre(anchor !== undefined);
        const outcome = await store.verify({ anchor: anchor as Anchor }).then(
          () => 'verified',
          (error: unknown) => error,
        );
        expect(isMetaledgerError(outcome, 'VALIDATION'), String(outcome)).toBe(true);
        expect((outcome as Error).message).toMatch(/anchor/);
      }),
      { numRuns: 300 },
    );
  });
});
