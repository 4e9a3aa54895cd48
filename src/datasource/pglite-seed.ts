import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGliteOptions } from '@electric-sql/pglite';
import { packageRoot } from '../package-root.js';

/** The installed PGlite's version (its package.json is not exported: found beside its entry point). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The comment the seed's database carries (PGlite's own initdb leaves none): how a database started from the seed is told apart. */
export const seedMark = 'metaledger seed';

/**
 * Where the seed of the installed PGlite version lives: the data directory PGlite's own initdb makes,
 * dumped once by `npm run build` (scripts/build-pglite-seed.mjs).
 */
export function pgliteSeedPath(): string {
  return join(packageRoot(), 'dist', 'pglite-seed', `${pgliteVersion()}.tar.gz`);
}

/**
 * A new database (a new data directory, or one in memory) starts from the seed instead of running initdb
 * again: the first command in an empty directory took 2-3x longer and twice the memory without it (initdb
 * runs a second WASM instance), and an in-memory database opens in less than half the time. An
 * existing directory, storage other than files or memory, or no seed for the installed version, leaves
 * PGlite to do as it does.
 */
export async function seedOptions(dataDir: string | undefined, directory: string | undefined): Promise<Pick<PGliteOptions, 'loadDataDir'>> {
  const fresh =
    directory === undefined ? dataDir === undefined || dataDir.startsWith('memory://') : !existsSync(join(directory, 'PG_VERSION'));
  if (!fresh) return {};
  const seed = pgliteSeedPath();
  return existsSync(seed) ? { loadDataDir: new Blob([await readFile(seed)]) } : {};
}
