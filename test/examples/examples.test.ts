import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Every program in examples/ runs here, in this process, on the embedded PGlite, and prints what a
// reader of the example is told to expect: an example that stops working or says something else fails.
const examplesDir = join(import.meta.dirname, '..', '..', 'examples');

const expected: Record<string, string[]> = {
  'embedding.ts': [
    'saved object/account: version 1, created true, etag "v1"',
    'loaded object/account: label Account, version 1',
    'objects in crm: account, contact',
    'save expecting version 0 again: CONFLICT',
  ],
  'auditing.ts': [
    'history v3 updated by carol (plural follows the label): 1 field changed: /metadata/plural',
    'history v2 updated by bob (rename): 1 field changed: /metadata/label',
    'history v1 created by alice (initial): created with 8 fields',
    'blame /metadata/label = "Customer" by bob in v2',
    'blame /metadata/plural = "Customers" by carol in v3',
    'changes by actor: alice 1, bob 1, carol 1',
    'verify: ok',
  ],
  'time-travel.ts': [
    'account at version 1: exists, label Account',
    'contact at the moment: exists',
    'store at the moment: account=Account, contact=Contact',
    'restore plan: delete object/lead, recreate object/contact, revert object/account',
    'after restore: account=Account, contact=Contact',
  ],
  'custom-projection.ts': [
    'label-index after create: account=Account',
    'label-index after rename: account=Customer, contact=Contact',
    'label-index after delete: account=Customer',
    'rebuilt from 4 events: account=Customer',
    'watched: added account, added contact, changed account, deleted contact',
  ],
};

const programs = readdirSync(examplesDir).filter((file) => file.endsWith('.ts') && file !== 'temporary-directory.ts');

describe('examples/', () => {
  afterEach(() => vi.restoreAllMocks());

  it('has an expected output for every program, and a program for every expected output', () => {
    expect(programs.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(programs)(
    '%s runs on the embedded database and prints what it promises',
    async (program) => {
      const before = new Set(readdirSync(tmpdir()).filter((entry) => entry.startsWith('metaledger-example-')));
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
        printed.push(parts.join(' '));
      });
      await import(join(examplesDir, program));
      expect(printed).toEqual(expected[program]);
      // its temporary data directory is gone
      const left = readdirSync(tmpdir()).filter((entry) => entry.startsWith('metaledger-example-') && !before.has(entry));
      expect(left).toEqual([]);
    },
    180_000,
  ); // each opens a new embedded database: slow on a busy machine
});
