import type { Kysely } from 'kysely';

/** Runs SQL text that may hold several statements (DDL files); resolves to the rows of the last one. */
export type ScriptExecutor = (sqlText: string) => Promise<Record<string, unknown>[]>;

/** The one handle every layer above uses: a Kysely plus the few things Kysely cannot express. */
export interface Datasource {
  readonly kind: 'postgres' | 'pglite';
  /** The schema every metaledger table lives in (set as search_path on each connection). */
  readonly schema: string;
  readonly db: Kysely<any>;
  /** Runs `work` in one transaction on one connection, with a multi-statement executor. */
  withScriptTransaction<T>(work: (exec: ScriptExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
