import { describe, expect, it } from 'vitest';
import * as events from '../../src/events/statements.js';
import { appliedMigrations } from '../../src/migrate/migration-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const itemId = '00000000-0000-4000-8000-000000000001';

describe('stream head statements', () => {
  it('reads one head by type and name, locking the row only when asked', () => {
    const read = events.streamHead('object', 'a');
    expectBound(read);
    expect(read.values).toEqual(['object', 'a']);
    expect(flat(read)).toBe('SELECT item_id AS "itemId", version, hash, document FROM metadata_streams WHERE type = $1 AND name = $2');
    const locked = events.streamHead('object', 'a', true);
    expect(locked.name).toBe('stream-head-for-update');
    expect(flat(locked)).toBe(`${flat(read)} FOR UPDATE`);
  });

  it('binds every filter of a heads page, null when absent, so the text never changes', () => {
    const all = events.streamHeadsPage();
    expectBound(all);
    expect(all.values).toEqual([null, null, null]);
    const some = events.streamHeadsPage({ types: ['object'], afterItemId: itemId, limit: 50 });
    expect(some.text).toBe(all.text);
    expect(some.values).toEqual([['object'], itemId, 50]);
    expect(flat(some)).toContain('WHERE ($1::text[] IS NULL OR type = ANY($1::text[])) AND ($2::uuid IS NULL OR item_id > $2::uuid)');
    expect(flat(some)).toContain('ORDER BY item_id LIMIT $3');
  });

  it('reads the heads of a batch from one jsonb array of keys, nothing else of the items', () => {
    const batch = events.streamHeadsOf([{ type: 'object', name: 'a', extra: 1 } as never, { type: 'schema', name: 'b' }]);
    expectBound(batch);
    expect(batch.values).toEqual(['[{"type":"object","name":"a"},{"type":"schema","name":"b"}]']);
    expect(flat(batch)).toContain(
      'FROM jsonb_to_recordset($1::jsonb) AS k(type text, name text) JOIN metadata_streams s ON s.type = k.type AND s.name = k.name',
    );
  });
});

describe('changeset statements', () => {
  it('inserts a bulk changeset with no events yet, absent fields as null', () => {
    const insert = events.insertChangeset({ id: itemId, actor: 'alice', source: 'bulk' }, 2);
    expectBound(insert);
    expect(insert.values).toEqual([itemId, 'alice', null, null, 'bulk', 2]);
    expect(flat(insert)).toBe(
      "INSERT INTO metadata_changesets (id, actor, reason, correlation_id, source, event_count, created_at, hash_version) VALUES ($1::uuid, $2, $3, $4, $5, 0, date_trunc('milliseconds', now()), $6)",
    );
  });

  it('settles a changeset by its count: updated when it has events, deleted when it has none', () => {
    const settle = events.settleChangeset(itemId);
    expectBound(settle);
    expect(settle.values).toEqual([itemId]);
    expect(flat(settle)).toContain(
      'UPDATE metadata_changesets SET event_count = (SELECT events FROM counted) WHERE id = $1::uuid AND (SELECT events FROM counted) > 0',
    );
    expect(flat(settle)).toContain('DELETE FROM metadata_changesets WHERE id = $1::uuid AND (SELECT events FROM counted) = 0');
    expect(flat(settle)).toMatch(/SELECT events FROM counted$/);
  });
});

describe('log position and count statements', () => {
  it('reads the last position, of the whole live log or up to a date-time', () => {
    const asOf = new Date('2026-01-01T00:00:00Z');
    expectBound(events.lastEventPosition());
    expect(flat(events.lastEventPosition())).toBe('SELECT max(position) AS position FROM metadata_events');
    const recorded = events.lastPositionRecordedBy(asOf);
    expectBound(recorded);
    expect(recorded.values).toEqual([asOf]);
    expect(flat(recorded)).toBe('SELECT max(position) AS position FROM metadata_events WHERE recorded_at <= $1');
  });

  it('counts live and deleted items and summarises the log, without values', () => {
    for (const statement of [events.streamCounts(), events.eventLogSummary(), appliedMigrations()]) expectBound(statement);
    expect(flat(events.streamCounts())).toContain('count(*) FILTER (WHERE document IS NULL)::int AS deleted FROM metadata_streams');
    expect(flat(events.eventLogSummary())).toContain(
      'max(position)::float8 AS last_position, max(recorded_at) AS last_recorded_at FROM metadata_events',
    );
    expect(flat(appliedMigrations())).toBe('SELECT name FROM metaledger_migrations ORDER BY name');
  });
});
