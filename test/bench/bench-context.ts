import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createMetadataStore, type MetadataStore } from '../../src/index.js';
import type { BenchSizes } from './options.js';

/** What a case gets: its own fresh schema, and ways to reach it through metaledger and through plain `pg`. */
export interface BenchContext {
  readonly sizes: BenchSizes;
  /** A connection string whose connections work in this schema (for third-party stores). */
  readonly schemaUrl: string;
  /** A metaledger store in this schema with a pool of `poolMax` connections. */
  openStore(options?: { poolMax?: number; maxRetries?: number }): Promise<MetadataStore>;
  /** A plain node-postgres pool in this schema: the driver every baseline uses. */
  openPool(max?: number): pg.Pool;
  /** Closes something the case opened itself, when the case ends (before the schema is dropped). */
  defer(close: () => Promise<void>): void;
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Runs `work` in a fresh schema that is dropped afterwards, whatever happens, with everything it opened closed. */
export async function inFreshSchema<T>(
  databaseUrl: string,
  tag: string,
  sizes: BenchSizes,
  work: (context: BenchContext) => Promise<T>,
): Promise<T> {
  const schema = `bench_${tag.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const schemaUrl = withSearchPath(databaseUrl, schema);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const closers: (() => Promise<void>)[] = [];
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    return await work({
      sizes,
      schemaUrl,
      async openStore({ poolMax = 1, maxRetries } = {}) {
        const store = await createMetadataStore({
          schema,
          datasource: { driver: 'postgres', config: { connectionString: databaseUrl }, pool: { max: poolMax } },
          driver: maxRetries === undefined ? {} : { transaction: { maxRetries } },
        });
        closers.push(() => store.close());
        return store;
      },
      openPool(max = 1) {
        const pool = new pg.Pool({ connectionString: schemaUrl, max });
        pool.on('error', () => {});
        closers.push(() => pool.end());
        return pool;
      },
      defer: (close) => closers.push(close),
    });
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
  }
}
