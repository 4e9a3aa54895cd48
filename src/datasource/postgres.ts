import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Datasource, ScriptExecutor } from './datasource.js';
import { quoteIdentifier } from './identifier.js';

export interface PostgresConnectionOptions {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | Record<string, unknown>;
  poolMin?: number;
  poolMax?: number;
  idleTimeoutMillis?: number;
  /** Server-side cancel for any statement that runs longer (transaction.timeout). */
  statementTimeoutMs?: number;
}

// int8 (counts, positions) as JS numbers: positions stay far below 2^53 in practice.
pg.types.setTypeParser(20, (value) => Number(value));
// TIMESTAMP (the protocol's audit columns) is written in UTC; read it as UTC whatever the process TZ.
pg.types.setTypeParser(1114, (value) => new Date(`${value.replace(' ', 'T')}Z`));

/**
 * The application_name of a store's connections, so operators (and tests) can tell them apart in
 * pg_stat_activity. PostgreSQL keeps the first 63 bytes.
 */
export function applicationName(schema: string, role: 'pool' | 'listener' | 'script'): string {
  return `metaledger ${role} ${schema}`.slice(0, 63);
}

/** BEGIN, the work with a multi-statement executor, COMMIT; ROLLBACK when it fails. */
async function inTransaction<T>(client: pg.ClientBase, work: (exec: ScriptExecutor) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(async (text) => {
      const results: unknown = await client.query(text);
      const last = (Array.isArray(results) ? results.at(-1) : results) as pg.QueryResult | undefined;
      return last?.rows ?? [];
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export function openPostgres(options: PostgresConnectionOptions, schema: string): Datasource {
  const searchPath = quoteIdentifier(schema, 'schema');
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    ssl: options.ssl,
    statement_timeout: options.statementTimeoutMs,
    // Every connection works in the store's schema, in UTC, so the SQL files need no qualification.
    options: `-c search_path=${searchPath} -c timezone=UTC`,
  };
  const pool = new pg.Pool({
    ...clientConfig,
    application_name: applicationName(schema, 'pool'),
    min: options.poolMin,
    max: options.poolMax ?? 10,
    idleTimeoutMillis: options.idleTimeoutMillis,
  });
  // An idle client losing its server must not crash the process; the next query reports the failure.
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const identity = `postgres:${options.connectionString ?? `${options.user ?? ''}@${options.host ?? ''}:${options.port ?? 5432}/${options.database ?? ''}`}#${schema}`;
  const statementNames = new Map<string, string>();
  return {
    kind: 'postgres',
    schema,
    db,
    identity,
    async prepared<R>(text: string, parameters: unknown[]) {
      let name = statementNames.get(text);
      if (!name) {
        name = `ml_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
        statementNames.set(text, name);
      }
      return (await pool.query({ name, text, values: parameters })).rows as R[];
    },
    connectionConfig: clientConfig,
    async listen(channel, onMessage, onLost) {
      const client = new pg.Client({ ...clientConfig, application_name: applicationName(schema, 'listener') });
      let closing = false;
      const lost = (error: unknown) => {
        if (closing) return;
        closing = true;
        client.end().catch(() => {});
        onLost(error);
      };
      client.on('notification', (message) => onMessage(message.payload ?? ''));
      client.on('error', lost);
      client.on('end', () => lost(new Error('notification connection ended')));
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(channel, 'channel')}`);
      return {
        stop: async () => {
          closing = true;
          await client.end().catch(() => {});
        },
      };
    },
    async withScriptTransaction(work) {
      const client = await pool.connect();
      try {
        return await inTransaction(client, work);
      } finally {
        client.release();
      }
    },
    async withIsolatedTransaction(work) {
      const client = new pg.Client({ ...clientConfig, application_name: applicationName(schema, 'script') });
      client.on('error', () => {});
      await client.connect();
      try {
        return await inTransaction(client, work);
      } finally {
        await client.end().catch(() => {});
      }
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ever ran a query itself; prepared statements and scripts use
      // the pool directly, and an idle connection left open keeps the process alive
      if (!pool.ending) await pool.end();
    },
  };
}
