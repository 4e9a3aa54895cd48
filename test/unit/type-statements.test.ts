import { describe, expect, it } from 'vitest';
import { readItemsBelowVersion, readReferrers, readSchemaVersionsOf, readTypeDefinitions } from '../../src/change/types/type-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

describe('type statements', () => {
  it('reads live type definitions from the stream heads, not a projection', () => {
    const read = readTypeDefinitions();
    expectBound(read);
    expect(flat(read)).toBe(
      "SELECT name, document->'metadata' AS definition FROM metadata_streams WHERE type = '_type' AND document IS NOT NULL",
    );
  });

  it('reads the referrers of one item through sql/0020’s function', () => {
    const read = readReferrers('object', 'a');
    expectBound(read);
    expect(read.values).toEqual(['object', 'a']);
    expect(flat(read)).toBe('SELECT type, name, path FROM metadata_referrers($1, $2)');
  });

  it('reads schema versions of many item versions from one jsonb array', () => {
    const read = readSchemaVersionsOf([
      ['object', 'a', 3],
      ['object', 'b', 1],
    ]);
    expectBound(read);
    expect(read.values).toEqual(['[{"type":"object","name":"a","version":3},{"type":"object","name":"b","version":1}]']);
    expect(flat(read)).toContain('FROM jsonb_to_recordset($1::jsonb) AS k(type text, name text, version int)');
    expect(flat(read)).toContain('JOIN metadata_events e ON e.item_id = s.item_id AND e.version = k.version');
  });

  it('reads the live items of a type written under an older schema version, by name', () => {
    const read = readItemsBelowVersion('object', 2);
    expectBound(read);
    expect(read.values).toEqual(['object', 2]);
    expect(flat(read)).toContain('WHERE s.type = $1 AND s.document IS NOT NULL AND e.schema_version < $2 ORDER BY s.name');
  });
});
