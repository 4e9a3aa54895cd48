// Builds the PGlite seed (see src/datasource/pglite-seed.ts): the data directory PGlite's own initdb
// makes, dumped once, so a new embedded database need not run initdb. Run by `npm run build`, after tsc.
import { Buffer } from 'node:buffer';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteSeedPath, seedMark } from '../dist/src/datasource/pglite-seed.js';

const db = new PGlite();
await db.waitReady;
// a mark PGlite's own initdb does not leave: tests tell a database started from the seed by it
await db.exec(`DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), '${seedMark}'); END $$`);
const seed = await db.dumpDataDir('gzip');
await db.close();
const path = pgliteSeedPath();
await mkdir(dirname(path), { recursive: true });
await writeFile(path, Buffer.from(await seed.arrayBuffer()));
// done; PGlite's timers must not hold the build for 10 s
process.exit(0);
