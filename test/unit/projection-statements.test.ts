import { describe, expect, it } from 'vitest';
import {
  advanceCheckpoint,
  checkpointError,
  checkpointsWithLag,
  claimCheckpoint,
  ensureCheckpointRow,
  lockCheckpoint,
  resetCheckpoint,
} from '../../src/projections/statements/checkpoints.js';
import {
  anyCommittedAfter,
  committedLogAfter,
  countEvents,
  lockOutAppends,
  logAfterUnderLock,
} from '../../src/projections/statements/log.js';
import { createTableLike, dropTableIfExists, secondaryIndexesOf, swapContents } from '../../src/projections/statements/rebuild-table.js';
import { feedStart } from '../../src/events/statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const cursor = { txId: '812', position: 40 };

describe('log statements', () => {
  it('reads only committed events after the cursor, in commit order, optionally of some types', () => {
    const next = committedLogAfter(cursor, 500, { types: ['object'] });
    expectBound(next);
    expect(next.values).toEqual(['812', 40, ['object'], 500]);
    expect(flat(next)).toContain(
      'WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint) AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot()) AND e.type = ANY($3::text[])',
    );
    expect(flat(next)).toContain('ORDER BY e.tx_id, e.position LIMIT $4');
    const all = committedLogAfter(cursor, 1);
    expectBound(all);
    expect(all.values).toEqual(['812', 40, 1]);
    expect(flat(all)).not.toContain('e.type = ANY');
  });

  it('a feed started from now leaves out what its start snapshot saw committed', () => {
    const next = committedLogAfter(cursor, 500, { committedBefore: '800:815:805,810' });
    expectBound(next);
    expect(next.values).toEqual(['812', 40, '800:815:805,810', 500]);
    expect(flat(next)).toContain('AND NOT pg_visible_in_snapshot(e.tx_id, $3::text::pg_snapshot)');
    const start = feedStart();
    expectBound(start);
    expect(flat(start)).toContain('s.snapshot::text AS snapshot FROM (SELECT pg_current_snapshot() AS snapshot) s');
    expect(flat(start)).toContain('WHERE tx_id < pg_snapshot_xmin(s.snapshot) ORDER BY tx_id DESC, position DESC LIMIT 1');
  });

  it('asks whether committed events lie past the cursor, whatever is still running', () => {
    const held = anyCommittedAfter(cursor);
    expectBound(held);
    expect(held.values).toEqual(['812', 40]);
    expect(flat(held)).toBe(
      'SELECT EXISTS (SELECT 1 FROM metadata_events e WHERE (e.tx_id, e.position) > ($1::text::xid8, $2::bigint)) AS any',
    );
  });

  it('reads past open transactions only under the append lock', () => {
    const rest = logAfterUnderLock(cursor, 10);
    expect(flat(rest)).not.toContain('pg_snapshot_xmin');
    expect(rest.values).toEqual(['812', 40, 10]);
    expect(lockOutAppends().text).toBe('LOCK TABLE metadata_streams IN SHARE MODE');
    expect(countEvents().values).toEqual([]);
  });
});

describe('checkpoint statements', () => {
  it('claims a checkpoint without waiting, locks it with waiting', () => {
    expect(claimCheckpoint('p').text).toContain('FOR UPDATE SKIP LOCKED');
    expect(lockCheckpoint('p').text).not.toContain('SKIP LOCKED');
    expect(ensureCheckpointRow('p').text).toContain('ON CONFLICT DO NOTHING');
  });

  it('advances by a batch, resets to a rebuild total, and records errors', () => {
    const advanced = advanceCheckpoint('p', cursor, 7);
    expect(advanced.values).toEqual(['p', '812', 40, 7]);
    expect(advanced.text).toContain('events_applied = events_applied + $4');
    expect(resetCheckpoint('p', cursor, 7).text).toMatch(/events_applied = \$4,/);
    expect(checkpointError('p', 'boom').values).toEqual(['p', 'boom']);
    expect(flat(checkpointsWithLag())).toContain('(e.tx_id, e.position) > (c.tx_id, c.position)');
  });
});

describe('rebuild table statements', () => {
  it('copies a table by content, keeping its name', () => {
    expect(createTableLike('"s"."t_fresh"', '"s"."t"').text).toBe('CREATE TABLE "s"."t_fresh" (LIKE "s"."t" INCLUDING ALL)');
    expect(dropTableIfExists('"s"."t_fresh"').text).toBe('DROP TABLE IF EXISTS "s"."t_fresh"');
    expect(swapContents('"s"."t"', '"s"."t_fresh"').map((step) => step.text)).toEqual([
      'TRUNCATE "s"."t"',
      'INSERT INTO "s"."t" SELECT * FROM "s"."t_fresh"',
      'DROP TABLE "s"."t_fresh"',
    ]);
    expect(secondaryIndexesOf('"s"."t"').values).toEqual(['"s"."t"']);
  });
});
