import { describe, expect, it } from 'vitest';
import { buildAppendStatement } from '../../src/events/append-events.js';
import { envelopeFields, hashEnvelopeSql } from '../../src/events/event-hash.js';
import * as verify from '../../src/history/statements/verify.js';

const notice = { schema: 'crm', origin: 'store-1' };
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
/** The arguments of the one metadata_event_hash_v2 call in a text (balanced parentheses). */
function hashArguments(text: string): string {
  const start = text.indexOf('metadata_event_hash_v2(') + 'metadata_event_hash_v2('.length;
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) return text.slice(start, i);
  }
  throw new Error('unbalanced call');
}

describe('the append statement', () => {
  const opening = flat(buildAppendStatement({ notice }).text);

  it('hashes each new event once, with the formula and argument order verify recomputes', () => {
    expect(opening.split('metadata_event_hash_v2(')).toHaveLength(2);
    const appended = hashArguments(opening).split(', ');
    const stored = hashArguments(flat(verify.hashChain('a', 'b').text).split('WHEN 2 THEN ')[1]);
    // the same twenty inputs in the same order: from the new event and its changeset on append, from the
    // stored columns on verify (where the envelope is rebuilt from the event's columns)
    expect(appended).toEqual([
      'i."prevHash"',
      'i.position',
      'i.tx_id',
      'i."itemId"',
      'i.type',
      'i.name',
      'i.version',
      'i.kind',
      'i.patch',
      'i.inverse',
      'i.snapshot',
      'env.envelope',
      'c.created_at',
      'c.id',
      'c.actor',
      'c.reason',
      'c.correlation_id',
      'c.source',
      'c.created_at',
      'c.target',
    ]);
    expect(stored).toBe(
      [
        'e.prev_hash',
        'e.position',
        'e.tx_id',
        'e.item_id',
        'e.type',
        'e.name',
        'e.version',
        'e.kind',
        'e.patch',
        'e.inverse',
        'e.snapshot',
        hashEnvelopeSql((field) => `e.${field}`),
        'e.recorded_at',
        'e.changeset_id',
        'c.actor',
        'c.reason',
        'c.correlation_id',
        'c.source',
        'c.created_at',
        'c.target',
      ].join(', '),
    );
  });

  it('hashes the envelope the event row stores: the same fields, from the new document (or snapshot)', () => {
    expect(opening).toContain(`SELECT ${hashEnvelopeSql((field) => `src->>'${field}'`)} AS envelope`);
    expect(opening).toContain(`FROM (SELECT coalesce(i.document, i.snapshot) AS src) s`);
    expect(opening).toContain(`${envelopeFields.join(', ')}, changeset_id, recorded_at, prev_hash, hash, hash_version`);
    expect(opening).toContain(`${envelopeFields.map((field) => `h.envelope->>'${field}'`).join(', ')}, h.changeset_id`);
  });

  it('inserts the changeset when it opens one, joins it otherwise, and carries an inline projection and the notice', () => {
    expect(opening).toContain('INSERT INTO metadata_changesets');
    const joining = flat(buildAppendStatement({ notice, changesetExists: true, inlineProjection: 'projected AS (SELECT 1)' }).text);
    expect(joining).not.toContain('INSERT INTO metadata_changesets');
    expect(joining).toContain(', projected AS (SELECT 1) SELECT metadata_expect_appended(');
    expect(opening).not.toContain('projected AS');
    expect(opening).toMatch(/metadata_expect_appended\(\(SELECT count\(\*\) FROM stream\), \$3::bigint\)/);
  });
});
