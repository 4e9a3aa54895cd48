import { randomBytes } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { createMetadataStore, type CreateMetadataStoreOptions, type MetadataStore } from '../../src/index.js';
import { createMetadataStoreOn } from '../../src/store/create-store.js';
import { SharedPglite } from './shared-pglite.js';
import { jobSchema } from '../../src/projections/jobs.js';

export type TestBackend = 'postgres' | 'pglite';

export const backend: TestBackend = process.env.METALEDGER_TEST_BACKEND === 'pglite' ? 'pglite' : 'postgres';

export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** A schema name no other test file uses, so files run in parallel without seeing each other. */
export function uniqueSchema(tag: string): string {
  return `t_${tag.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

/** Where a test file's stores live: a fresh schema on PostgreSQL, or a fresh in-memory PGlite. */
export interface TestDatabase {
  backend: TestBackend;
  schema: string;
  /** Opens a store on this test database with these options; several stores share the database. */
  open(options?: CreateMetadataStoreOptions): Promise<MetadataStore>;
  /** Runs raw SQL in the test schema (for tamper tests and assertions on the log). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

export async function createTestDatabase(tag: string): Promise<TestDatabase> {
  const schema = uniqueSchema(tag);
  const opened: MetadataStore[] = [];
  if (backend === 'pglite') {
    // every store of the file shares one embedded database, each with the options it was opened with
    const shared = new SharedPglite(schema);
    return {
      backend,
      schema,
      async open(options = {}) {
        const store = await createMetadataStoreOn((storeSchema) => shared.forStore(storeSchema), { schema, ...options });
        opened.push(store);
        return store;
      },
      async query(text, params) {
        const result = await (await shared.datasource()).db.executeQuery(CompiledQuery.raw(text, params ?? []));
        return result.rows as never;
      },
      async dispose() {
        await Promise.all(opened.map((store) => store.close()));
        await shared.dispose();
      },
    };
  }
  const url = databaseUrl();
  const admin = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  return {
    backend,
    schema,
    async open(options = {}) {
      const store = await createMetadataStore({ connectionString: url, schema, ...options });
      opened.push(store);
      return store;
    },
    async query(text, params) {
      return (await admin.query(text, params)).rows;
    },
    async dispose() {
      await Promise.all(opened.map((store) => store.close()));
      // and the schema pg-boss made for the stores' jobs, if any ran
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${jobSchema(schema)}" CASCADE`);
      await admin.end();
    },
  };
}
