import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgliteDirectory, startPglite } from '../../src/datasource/pglite.js';
import { seedMark, seedOptions } from '../../src/datasource/pglite-seed.js';

const optionsFor = (dataDir: string | undefined) => seedOptions(dataDir, pgliteDirectory(dataDir));

describe('the PGlite seed (npm run build dumps it)', () => {
  it('starts a new database from it: in memory, or in a new or empty directory', async () => {
    for (const dataDir of [
      undefined,
      'memory://tests',
      join(mkdtempSync(join(tmpdir(), 'seed-')), 'new'),
      mkdtempSync(join(tmpdir(), 'seed-')),
    ]) {
      const options = await optionsFor(dataDir);
      expect(options.loadDataDir, String(dataDir)).toBeInstanceOf(Blob);
      expect(options.loadDataDir!.size, String(dataDir)).toBeGreaterThan(0);
    }
  });

  it.each([
    ['in memory', false],
    ['in a new directory', true],
  ])('a new database %s is the seed, not a fresh initdb', async (_where, onDisk) => {
    const parent = onDisk ? mkdtempSync(join(tmpdir(), 'seed-')) : undefined;
    const dataDir = parent && join(parent, 'new');
    const client = await startPglite(dataDir, pgliteDirectory(dataDir));
    try {
      const { rows } = await client.query<{ mark: string | null }>(
        "SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = current_database()",
      );
      expect(rows).toEqual([{ mark: seedMark }]);
    } finally {
      await client.close();
      if (parent) rmSync(parent, { recursive: true, force: true });
    }
  });

  it('leaves an existing database, and storage other than files or memory, as they are', async () => {
    const existing = mkdtempSync(join(tmpdir(), 'seed-'));
    writeFileSync(join(existing, 'PG_VERSION'), '17\n');
    expect(await optionsFor(existing)).toEqual({});
    expect(await optionsFor('idb://metaledger')).toEqual({});
  });
});
