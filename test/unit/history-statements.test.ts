import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTable } from '../../src/table/framework-metadata-table.js';
import { hashEnvelopeSql } from '../../src/events/event-hash.js';
import { anchorLines, lastLogPosition, lockLogForAnchor } from '../../src/history/statements/anchor.js';
import { blameEvents, changesPage, itemHistoryCount, itemHistoryPage, prunePointOf } from '../../src/history/statements/audit-trail.js';
import { compactionEvents, insertSnapshots, itemsWithLongChains, pruneCuts, pruneItem } from '../../src/history/statements/retention.js';
import { changesetAcross, foldToMoment, foldToVersions, prunePoints, versionAtMoment } from '../../src/history/statements/time-travel.js';
import * as verify from '../../src/history/statements/verify.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const itemId = '00000000-0000-4000-8000-000000000001';
const table = describeTable(undefined, 'public');

describe('audit trail statements', () => {
  it('binds each optional filter of an item history page, in order, and pages last', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    const page = itemHistoryPage({ itemId, since, actor: 'alice', kinds: ['created'] }, { limit: 10, offset: 20 });
    expectBound(page);
    expect(page.values).toEqual([itemId, since, 'alice', ['created'], 10, 20]);
    expect(flat(page)).toContain('WHERE e.item_id = $1 AND e.recorded_at >= $2 AND c.actor = $3 AND e.kind = ANY($4::text[])');
    expect(flat(page)).toContain('ORDER BY e.version DESC LIMIT $5 OFFSET $6');
    expect(flat(page)).toContain('count(*) OVER () AS total');
  });

  it('counts with the same conditions as the page', () => {
    const until = new Date('2026-02-01T00:00:00Z');
    const count = itemHistoryCount({ itemId, until });
    expectBound(count);
    expect(flat(count)).toBe(
      'SELECT count(*) AS total FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id WHERE e.item_id = $1 AND e.recorded_at <= $2',
    );
  });

  it('reads the changes feed only below the snapshot xmin, in commit order, after the cursor', () => {
    const feed = changesPage({ types: ['object'], after: ['812', 40] }, 101);
    expectBound(feed);
    expect(feed.values).toEqual([['object'], '812', 40, 101]);
    expect(flat(feed)).toContain('e.tx_id < pg_snapshot_xmin(pg_current_snapshot())');
    expect(flat(feed)).toContain('(e.tx_id, e.position) > ($2::text::xid8, $3::bigint)');
    expect(flat(feed)).toContain('ORDER BY e.tx_id, e.position LIMIT $4');
  });

  it('reads one changeset as committed, whatever transaction is still running', () => {
    const lookup = changesPage({ changesetId: itemId, after: ['812', 40] }, 101);
    expectBound(lookup);
    expect(lookup.values).toEqual([itemId, '812', 40, 101]);
    expect(flat(lookup)).not.toContain('pg_snapshot_xmin');
    expect(flat(lookup)).toContain('WHERE e.changeset_id = $1::uuid AND (e.tx_id, e.position) > ($2::text::xid8, $3::bigint)');
  });

  it('a feed started from now leaves out what its start snapshot saw committed', () => {
    const feed = changesPage({ committedBefore: '800:815:805', after: ['799', 3] }, 10);
    expectBound(feed);
    expect(feed.values).toEqual(['800:815:805', '799', 3, 10]);
    expect(flat(feed)).toContain(
      'AND NOT pg_visible_in_snapshot(e.tx_id, $1::text::pg_snapshot) AND (e.tx_id, e.position) > ($2::text::xid8, $3::bigint)',
    );
  });

  it('numbers whatever subset of filters is given without a hole', () => {
    const optional = fc.option(fc.constant('x'), { nil: undefined });
    fc.assert(
      fc.property(optional, optional, optional, fc.boolean(), (actor, namespace, changesetId, withTypes) => {
        expectBound(changesPage({ actor, namespace, changesetId, types: withTypes ? ['a'] : undefined }, 5));
        expectBound(changesPage({ actor, committedBefore: namespace, types: withTypes ? ['a'] : undefined }, 5));
        expectBound(itemHistoryPage({ itemId, actor, kinds: withTypes ? ['deleted'] : undefined }, { limit: 1, offset: 0 }));
      }),
    );
  });

  it('reads blame and prune points by item', () => {
    for (const statement of [blameEvents(itemId), prunePointOf(itemId)]) {
      expectBound(statement);
      expect(statement.values).toEqual([itemId]);
    }
    expect(flat(blameEvents(itemId))).toContain('WHERE e.item_id = $1 ORDER BY e.version');
  });
});

describe('time travel statements', () => {
  it('folds given versions from an unnest of ids and versions', () => {
    const fold = foldToVersions([
      { itemId, version: 3 },
      { itemId: 'b', version: 1 },
    ]);
    expectBound(fold);
    expect(fold.values).toEqual([
      [itemId, 'b'],
      [3, 1],
    ]);
    expect(flat(fold)).toContain('WITH target AS (SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(item_id, v))');
    expect(flat(fold)).toContain('WHERE true AND m.item_id = t.item_id');
    expect(flat(foldToVersions([{ itemId, version: 1 }], false))).toContain('WHERE false AND m.item_id = t.item_id');
  });

  it('folds to a moment by version, position or time, then the filter', () => {
    const asOf = new Date('2026-03-01T00:00:00Z');
    expect(flat(foldToMoment({ version: 2 }, {}))).toContain('WHERE e.version <= $1 GROUP BY e.item_id');
    expect(flat(foldToMoment({ position: 9 }, {}))).toContain('WHERE e.position <= $1 GROUP BY e.item_id');
    const byTime = foldToMoment({ asOf }, { itemIds: [itemId], types: ['object'] });
    expectBound(byTime);
    expect(byTime.values).toEqual([asOf, [itemId], ['object']]);
    expect(flat(byTime)).toContain('WHERE e.recorded_at <= $1 AND e.item_id = ANY($2::uuid[]) AND e.type = ANY($3::text[])');
  });

  it('walks one item down to a position or a time through its indexes', () => {
    const byPosition = versionAtMoment(itemId, { position: 7 });
    expectBound(byPosition);
    expect(flat(byPosition)).toBe(
      'SELECT version FROM metadata_events WHERE item_id = $1 AND position <= $2 ORDER BY version DESC LIMIT 1',
    );
    expect(flat(versionAtMoment(itemId, { asOf: new Date(0) }))).toContain('ORDER BY recorded_at DESC, version DESC LIMIT 1');
  });

  it('filters prune points and finds a changeset across a position', () => {
    expectBound(prunePoints({}));
    expect(flat(prunePoints({}))).toContain('WHERE true');
    expect(flat(prunePoints({ types: ['view'] }))).toContain('WHERE true AND s.type = ANY($1::text[])');
    expectBound(changesetAcross(12));
    expect(flat(changesetAcross(12))).toContain('HAVING max(e.position) > $1');
  });
});

describe('verify statements', () => {
  it('re-hashes version-2 events with the envelope the append statement hashes, built from the event columns', () => {
    const chain = verify.hashChain(itemId, itemId);
    expectBound(chain);
    const envelope = hashEnvelopeSql((field) => `e.${field}`);
    expect(envelope).toBe(
      "jsonb_build_object('namespace', e.namespace, 'scope', e.scope, 'state', e.state, 'owner', e.owner, 'extends', e.extends, 'strategy', e.strategy)",
    );
    // both formulas see the same envelope
    expect(chain.text.split(envelope)).toHaveLength(3);
    expect(flat(chain)).toContain(
      `WHEN 2 THEN metadata_event_hash_v2(e.prev_hash, e.position, e.tx_id, e.item_id, e.type, e.name, e.version, e.kind, e.patch, e.inverse, e.snapshot, ${envelope}, e.recorded_at, e.changeset_id, c.actor, c.reason, c.correlation_id, c.source, c.created_at, c.target)`,
    );
  });

  it('binds every round and key read', () => {
    for (const statement of [
      verify.nextItemIds(null, 1000),
      verify.replayEvents(itemId, itemId),
      verify.streamHeadsOf([itemId]),
      verify.projectionRowsOf(table, [{ type: 'object', name: 'a' }]),
      verify.streamsWithoutEvents(),
      verify.rowsWithoutEvents(table),
      verify.changesetsMissingEvents(),
      verify.prunePointChecks(),
      verify.compactionSnapshots(),
    ])
      expectBound(statement);
    expect(verify.projectionRowsOf(table, [{ type: 'object', name: 'a' }]).values).toEqual([['object'], ['a']]);
    expect(flat(verify.rowsWithoutEvents(table))).toContain(`FROM ${table.qualifiedName} p`);
  });
});

describe('retention and anchor statements', () => {
  it('binds compaction and prune inputs', () => {
    const before = new Date('2026-01-01T00:00:00Z');
    const cut = { item_id: itemId, cut: 4, first_recorded_at: before, first_position: 1 };
    for (const statement of [
      itemsWithLongChains(5),
      compactionEvents(itemId),
      insertSnapshots(itemId, [{ version: 5, document: null }]),
      pruneCuts(before, 1),
      pruneItem(cut, null),
    ])
      expectBound(statement);
    expect(insertSnapshots(itemId, [{ version: 5, document: null }]).values).toEqual([itemId, '[{"version":5,"document":null}]']);
    expect(pruneItem(cut, null).values).toEqual([itemId, 4, 'null', before, 1]);
    expect(flat(pruneItem(cut, null))).toContain('INSERT INTO metadata_pruned_events');
  });

  it('pages anchor lines after a cursor, events before pruned events at one position', () => {
    const lines = anchorLines({ position: 10, src: 0 }, 99, 5000);
    expectBound(lines);
    expect(lines.values).toEqual([10, 0, 99, 5000]);
    expect(flat(lines)).toContain('WHERE (position, src) > ($1::bigint, $2::int) ORDER BY position, src LIMIT $4');
    expect(lockLogForAnchor().text).toBe('LOCK TABLE metadata_events IN SHARE MODE');
    expectBound(lastLogPosition());
  });
});
