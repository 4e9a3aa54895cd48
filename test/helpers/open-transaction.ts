import pg from 'pg';
import { databaseUrl } from './test-store.js';

/** A transaction left open on another connection of the test server, holding its oldest running xid back. */
export interface OpenTransaction {
  /** Commits it; the connection stays until `end`. */
  commit(): Promise<void>;
  end(): Promise<void>;
}

/**
 * Opens a transaction elsewhere on the server and gives it an xid, as another application's long
 * transaction would: readers that stop at the oldest running transaction (the change feeds) stay below it.
 */
export async function openTransactionElsewhere(): Promise<OpenTransaction> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_current_xact_id()');
  return {
    commit: async () => void (await client.query('COMMIT')),
    end: () => client.end(),
  };
}
