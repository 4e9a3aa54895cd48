import { describe, expect, it } from 'vitest';
import {
  readChangeset,
  readChangesetEvents,
  readHeads,
  readLaterEvents,
  readRevertsOf,
} from '../../src/change/revert/revert-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

const changesetId = '00000000-0000-4000-8000-000000000001';

describe('revert statements', () => {
  it('reads the changeset with the event count it wrote, by id', () => {
    const read = readChangeset(changesetId);
    expectBound(read);
    expect(read.values).toEqual([changesetId]);
    expect(flat(read)).toBe('SELECT id, event_count AS "eventCount" FROM metadata_changesets WHERE id = $1::uuid');
  });

  it('reads the changeset’s events per item in version order, with their inverses', () => {
    const read = readChangesetEvents(changesetId);
    expectBound(read);
    expect(flat(read)).toContain('inverse, changeset_id AS "changesetId" FROM metadata_events WHERE changeset_id = $1::uuid');
    expect(flat(read)).toMatch(/ORDER BY item_id, version$/);
  });

  it('reads the heads of many items with one array parameter', () => {
    const read = readHeads(['a', 'b']);
    expectBound(read);
    expect(read.values).toEqual([['a', 'b']]);
    expect(flat(read)).toContain('FROM metadata_streams WHERE item_id = ANY($1::uuid[])');
  });

  it('reads the later events of each item only up to the head it read, as three parallel arrays', () => {
    const read = readLaterEvents([
      { itemId: 'a', after: 2, upTo: 5 },
      { itemId: 'b', after: 1, upTo: 1 },
    ]);
    expectBound(read);
    expect(read.values).toEqual([
      ['a', 'b'],
      [2, 1],
      [5, 1],
    ]);
    expect(flat(read)).toContain('unnest($1::uuid[], $2::integer[], $3::integer[]) AS w(item_id, after, up_to)');
    expect(flat(read)).toContain('e.version > w.after AND e.version <= w.up_to');
  });

  it('finds the reverts of a changeset by the target they recorded, oldest first', () => {
    const read = readRevertsOf(changesetId);
    expectBound(read);
    expect(flat(read)).toContain("target->>'revertOf' = $1::text ORDER BY created_at, id");
  });
});
