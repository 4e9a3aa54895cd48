import { describe, expect, it } from 'vitest';
import * as releases from '../../../src/change/releases/release-statements.js';
import { expectBound, flat } from '../../helpers/statement-shape.js';

const changesetId = '00000000-0000-4000-8000-000000000001';
const tag = { changesetId, name: 'v1', position: 42, actor: 'alice', message: null };

describe('tag statements', () => {
  it('locks the tags against other taggers only', () => {
    expectBound(releases.lockTags());
    expect(flat(releases.lockTags())).toBe('LOCK TABLE metadata_tags IN EXCLUSIVE MODE');
  });

  it('looks a tag up by name, for existence and for its row', () => {
    for (const statement of [releases.tagExists('v1'), releases.tagNamed('v1')]) {
      expectBound(statement);
      expect(statement.values).toEqual(['v1']);
      expect(flat(statement)).toMatch(/FROM metadata_tags WHERE name = \$1$/);
    }
    expect(flat(releases.tagNamed('v1'))).toBe(
      'SELECT name, position, message, actor, changeset_id, created_at FROM metadata_tags WHERE name = $1',
    );
  });

  it('lists every tag in the order written', () => {
    expectBound(releases.allTags());
    expect(flat(releases.allTags())).toBe(
      'SELECT name, position, message, actor, changeset_id, created_at FROM metadata_tags ORDER BY seq',
    );
  });

  it('records a tag changeset of source tag, naming the tag and its position in its target', () => {
    const insert = releases.insertTagChangeset(tag);
    expectBound(insert);
    expect(insert.values).toEqual([changesetId, 'alice', null, '{"tag":"v1","position":42}']);
    expect(flat(insert)).toContain("VALUES ($1, $2, $3, 'tag', 0, $4, date_trunc('milliseconds', now()), 2)");
  });

  it('writes the tag chained to the previous one, hashing the log at its position, pruned events included', () => {
    const insert = releases.insertTag(tag);
    expectBound(insert);
    expect(insert.values).toEqual(['v1', 42, null, 'alice', changesetId]);
    expect(flat(insert)).toContain('SELECT $1::text AS name, $2::bigint AS position, $3::text AS message, $4::text AS actor');
    expect(flat(insert)).toContain('(SELECT hash FROM metadata_tags ORDER BY seq DESC LIMIT 1) AS prev_hash');
    expect(flat(insert)).toContain('UNION ALL SELECT position, hash FROM metadata_pruned_events WHERE position <= $2');
    expect(flat(insert)).toContain('FROM metadata_changesets c WHERE c.id = $5');
    expect(flat(insert)).toMatch(/RETURNING name, position, message, actor, changeset_id, created_at$/);
  });

  it('checks every tag and every tag changeset, without values', () => {
    const checks = releases.tagChecks();
    expectBound(checks);
    expect(flat(checks)).toContain('FROM checked WHERE edited OR unlinked OR moved OR unrecorded UNION ALL');
    expect(flat(checks)).toContain("WHERE c.source = 'tag' AND NOT EXISTS (SELECT 1 FROM metadata_tags t WHERE t.changeset_id = c.id)");
  });
});

describe('promotion statements', () => {
  it('finds the last promotion of one source and slice, the slice compared as jsonb (null included)', () => {
    const last = releases.lastPromotion({ from: 'staging', namespace: null, types: ['object'] });
    expectBound(last);
    expect(last.values).toEqual(['staging', 'null', '["object"]']);
    expect(flat(last)).toContain("WHERE c.source = 'promote' AND c.target->'promotion'->>'from' = $1");
    expect(flat(last)).toContain("c.target->'promotion'->'namespace' = $2::jsonb AND c.target->'promotion'->'types' = $3::jsonb");
    expect(flat(last)).toMatch(/ORDER BY target_position DESC NULLS LAST LIMIT 1$/);
  });
});
