import type pg from 'pg';
import type { MetaledgerDb } from './database-schema.js';

/** Runs SQL text that may hold several statements (DDL files); resolves to the rows of the last one. */
export type ScriptExecutor = (sqlText: string) => Promise<Record<string, unknown>[]>;

/** A LISTENing connection. */
export interface NotificationChannel {
  stop(): Promise<void>;
}

/** The one handle every layer above uses: a Kysely plus the few things Kysely cannot express. */
export interface Datasource {
  readonly kind: 'postgres' | 'pglite';
  /** The schema every metaledger table lives in (set as search_path on each connection). */
  readonly schema: string;
  readonly db: MetaledgerDb;
  /** Runs `work` in one transaction on one connection, with a multi-statement executor. */
  withScriptTransaction<T>(work: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  /**
   * Like withScriptTransaction, for SQL the store does not write itself (migration scripts): on
   * PostgreSQL a connection of its own, outside the pool, closed afterwards, so nothing the SQL leaves
   * in its session (settings, role, temporary objects, prepared statements, locks) reaches another
   * statement. PGlite has one connection: its session is reset afterwards instead.
   */
  withIsolatedTransaction<T>(work: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs one statement as a named prepared statement on PostgreSQL (parsed and planned once per
   * connection: the hot paths send the same long text again and again); a plain query on PGlite.
   */
  prepared<R = Record<string, unknown>>(text: string, parameters: unknown[]): Promise<R[]>;
  /** Same database and schema ⇔ same identity: stores in one process use it to share invalidations. */
  readonly identity: string;
  /** Where the data is, for people: host:port/database (never a password), or the PGlite directory. */
  readonly target: string;
  /**
   * LISTENs on `channel` on a dedicated connection; rejects (and leaves nothing open) if it cannot. Once
   * listening, `onLost` is called once if that connection drops (notifications may have been missed); the
   * caller decides whether to listen again. Absent when the datasource cannot listen (behind a transaction
   * pooler with no direct connection for it).
   */
  readonly listen?: (
    channel: string,
    onMessage: (payload: string) => void,
    onLost: (error: unknown) => void,
  ) => Promise<NotificationChannel>;
  /** Connection settings for helpers that need their own connections (pg-boss); absent for PGlite. */
  readonly connectionConfig?: pg.ClientConfig;
  close(): Promise<void>;
}
