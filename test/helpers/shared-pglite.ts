import type { PGlite } from '@electric-sql/pglite';
import type { Datasource } from '../../src/datasource/datasource.js';
import { pgliteDatasource, startPglite } from '../../src/datasource/pglite.js';

/**
 * The in-memory PGlites of this test worker not in use. The pglite project runs a worker's files one after
 * another in one process (isolate: false), so they reuse embedded databases instead of each paying a start
 * (seconds); a test database takes one for itself (a file with two takes two), works in schemas of its
 * own, drops them when done and hands the engine back.
 */
const idle: PGlite[] = [];

const schemaNames = async (client: PGlite) =>
  (await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace')).rows.map((row) => row.name);

/**
 * One test file's database on the worker's PGlite, shared by every store the file opens: PGlite is a single
 * connection, so stores share its datasource (and its one queue of statements) in the file's schema. A
 * store's close() only lets go of it; dispose() drops what the file made and leaves the engine to the next.
 */
export class SharedPglite {
  private opened?: Promise<{ client: PGlite; datasource: Datasource; before: string[] }>;

  constructor(private readonly schema: string) {}

  private open() {
    return (this.opened ??= (async () => {
      const client = idle.pop() ?? (await startPglite(undefined, undefined));
      const before = await schemaNames(client);
      const datasource = await pgliteDatasource(client, this.schema, {
        target: 'memory',
        identity: `pglite:test-worker#${this.schema}`,
        close: async () => {},
      });
      return { client, datasource, before };
    })());
  }

  /** The shared datasource, in the test's schema. */
  async datasource(): Promise<Datasource> {
    return (await this.open()).datasource;
  }

  /** A view of the shared datasource for one store: closing it leaves the database open for the others. */
  async forStore(schema: string): Promise<Datasource> {
    if (schema !== this.schema) throw new Error(`this test database lives in schema ${this.schema}, not ${schema}`);
    return { ...(await this.datasource()), close: async () => {} };
  }

  /** Drops every schema the file made and resets the session, so the next file finds the engine as it started. */
  async dispose(): Promise<void> {
    if (this.opened === undefined) return;
    const { client, before } = await this.opened;
    const made = (await schemaNames(client)).filter((name) => !before.includes(name));
    const drops = made.map((name) => `DROP SCHEMA "${name.replace(/"/g, '""')}" CASCADE;`).join(' ');
    await client.exec(`${drops} UNLISTEN *; RESET ALL; SET search_path TO public`);
    idle.push(client);
  }
}
