import type { Datasource } from '../../src/datasource/datasource.js';
import { openPglite } from '../../src/datasource/pglite.js';

/**
 * One in-memory PGlite for a test file, shared by every store the file opens: PGlite is a single
 * connection, so stores share its datasource (and its one queue of statements) instead of each opening
 * an empty database of its own. A store's close() only lets go of it; dispose() closes it.
 */
export class SharedPglite {
  private opened?: Promise<Datasource>;

  constructor(private readonly schema: string) {}

  /** The shared datasource; open(schema) must name the test's schema. */
  datasource(): Promise<Datasource> {
    return (this.opened ??= openPglite(undefined, this.schema));
  }

  /** A view of the shared datasource for one store: closing it leaves the database open for the others. */
  async forStore(schema: string): Promise<Datasource> {
    if (schema !== this.schema) throw new Error(`this test database lives in schema ${this.schema}, not ${schema}`);
    const shared = await this.datasource();
    return { ...shared, close: async () => {} };
  }

  async dispose(): Promise<void> {
    await (await this.opened)?.close();
  }
}
