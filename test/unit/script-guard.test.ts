import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkScript, statementHeads } from '../../src/migrate/table/script-guard.js';

// Transaction control in a migration script is found wherever it stands at the top level, and never
// inside quoted text or comments, whatever surrounds it.

const control = fc.constantFrom(
  'COMMIT',
  'commit work',
  'END',
  'ROLLBACK',
  'abort',
  'BEGIN',
  'start transaction',
  'SAVEPOINT s',
  'release s',
);
const harmlessText = fc.constantFrom(
  `'COMMIT; END'`,
  `E'it''s \\' ; COMMIT'`,
  `"COMMIT"`,
  `$$ BEGIN COMMIT; END $$`,
  `$body$ ROLLBACK; $body$`,
  `/* COMMIT; /* nested END; */ ROLLBACK; */`,
  `-- COMMIT;\n`,
  `U&'\\0043OMMIT;'`,
);
const statement = fc
  .tuple(fc.constantFrom('SELECT', 'ALTER TABLE t ADD COLUMN c int DEFAULT', 'UPDATE t SET c ='), fc.array(harmlessText, { maxLength: 3 }))
  .map(([head, parts]) => `${head} ${parts.join(' ')}`);
const separator = fc.constantFrom(';', ';\n', ' ; ', ';/* x */', ';-- y\n');
const prefix = fc.constantFrom('', ' ', '/* hidden */ ', '-- line\n', '\n\t');

describe('migration script guard', () => {
  it('finds transaction control at the top level, behind comments and whitespace', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 4 }), separator, prefix, control, fc.nat(4), (statements, sep, pre, keyword, at) => {
        const parts = [...statements];
        parts.splice(Math.min(at, parts.length), 0, `${pre}${keyword}`);
        const issues = checkScript(parts.join(sep), 'script');
        expect(issues).toHaveLength(1);
        expect(issues[0].message).toMatch(/controls the transaction/);
      }),
      { numRuns: 2000 },
    );
  });

  it('never mistakes quoted text, dollar-quoted bodies or comments for a statement', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), separator, (statements, sep) => {
        expect(checkScript(statements.join(sep), 'script')).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('splits into top-level statements', () => {
    expect(statementHeads(`select 'a;b'; /* c; */ alter table x add y int; $$;$$; -- z;\n commit`)).toEqual([
      'select q',
      'alter table',
      'q',
      'commit',
    ]);
  });
});
