import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { connectionFailure, isConnectionFailure } from './connection-failure.js';
import type { MetaledgerDatabase } from './database-schema.js';
import type { Datasource, ScriptExecutor } from './datasource.js';
import { quoteIdentifier } from './identifier.js';
import { clientClass } from './postgres-client.js';
import { describeTarget, parsePostgresUrl } from './postgres-url.js';
import { defaultConnectTimeoutMs } from './timeouts.js';

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
  statementTimeoutMs: number;
  /** Opening one connection; null waits for ever (see `resolveTimeouts`). */
  connectTimeoutMs: number | null;
  /** Waiting for a free connection of the pool. */
  acquireTimeoutMs: number;
  /** The server is reached through a transaction pooler: no session state, no named statements, no LISTEN through it. */
  transactionPooling?: boolean;
  /** A direct connection for LISTEN (required for change notifications behind a transaction pooler). */
  listenConnectionString?: string;
  /** Never shown: scrubbed from error messages. */
  secrets: (string | undefined)[];
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

/**
 * BEGIN, the work with a multi-statement executor, COMMIT; ROLLBACK when it fails (a broken connection
 * cannot roll back: the caller discards it).
 */
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
    if (!isConnectionFailure(error)) await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** How a failure's message names the server a connection string or settings point at. */
function targetOf(connectionString: string | undefined, options: PostgresConnectionOptions): string {
  return connectionString ? parsePostgresUrl(connectionString).target : describeTarget(options);
}

export function openPostgres(options: PostgresConnectionOptions, schema: string): Datasource {
  const searchPath = quoteIdentifier(schema, 'schema');
  const base: pg.ClientConfig = {
    connectionString: options.connectionString,
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    ssl: options.ssl,
  };
  // Every connection works in the store's schema, in UTC, so the SQL files need no qualification. A direct
  // connection gets that once, when it opens; behind a transaction pooler, every transaction does.
  const session: pg.ClientConfig = {
    statement_timeout: options.statementTimeoutMs,
    options: `-c search_path=${searchPath} -c timezone=UTC`,
  };
  const perTransaction = `SELECT set_config('search_path', '${searchPath}', true), set_config('TimeZone', 'UTC', true),
    set_config('statement_timeout', '${options.statementTimeoutMs}', true)`;
  const clientConfig = options.transactionPooling ? base : { ...base, ...session };
  const failure = {
    target: targetOf(options.connectionString, options),
    secrets: options.secrets,
    connectTimeoutMs: options.connectTimeoutMs,
    acquireTimeoutMs: options.acquireTimeoutMs,
  };
  const behaviour = {
    connectTimeoutMs: options.connectTimeoutMs,
    answerTimeoutMs: options.statementTimeoutMs + (options.connectTimeoutMs ?? defaultConnectTimeoutMs),
    statementTimeoutMs: options.statementTimeoutMs,
    failure,
    schema,
  };
  /** The client of the pool and of migration scripts' own connections (see withIsolatedTransaction). */
  const StoreClient = clientClass({ ...behaviour, transactionSettings: options.transactionPooling ? perTransaction : undefined });
  const pool = new pg.Pool({
    ...clientConfig,
    application_name: applicationName(schema, 'pool'),
    min: options.poolMin,
    max: options.poolMax ?? 10,
    idleTimeoutMillis: options.idleTimeoutMillis,
    // pg-pool bounds the wait for a free connection with this; each new connection's own connect is
    // bounded by the client class (connectTimeoutMs)
    connectionTimeoutMillis: options.acquireTimeoutMs,
    Client: StoreClient,
  });
  // An idle client losing its server must not crash the process; the next query reports the failure.
  pool.on('error', () => {});
  /** A pooled connection; a failure to get one (nothing was sent) is typed here. */
  const acquire = () => pool.connect().catch((error: unknown) => Promise.reject(connectionFailure(error, failure, 'connect') ?? error));
  const db = new Kysely<MetaledgerDatabase>({ dialect: new PostgresDialect({ pool: { connect: acquire, end: () => pool.end() } }) });
  const identity = `postgres:${options.connectionString ?? `${options.user ?? ''}@${options.host ?? ''}:${options.port ?? 5432}/${options.database ?? ''}`}#${schema}`;
  const statementNames = new Map<string, string>();
  /** A named statement is parsed once per connection; a transaction pooler hands out other connections, so it gets unnamed ones. */
  const statement = (text: string, values: unknown[]): pg.QueryConfig => {
    if (options.transactionPooling) return { text, values };
    let name = statementNames.get(text);
    if (!name) {
      name = `ml_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      statementNames.set(text, name);
    }
    return { name, text, values };
  };
  const ListenClient = clientClass(
    options.listenConnectionString
      ? { ...behaviour, failure: { ...failure, target: parsePostgresUrl(options.listenConnectionString).target } }
      : behaviour,
  );
  const listenConfig: pg.ClientConfig = options.listenConnectionString
    ? { ...base, ...session, connectionString: options.listenConnectionString }
    : clientConfig;
  return {
    kind: 'postgres',
    schema,
    db,
    identity,
    target: failure.target,
    async prepared<R>(text: string, parameters: unknown[]) {
      const client = await acquire();
      let broken: Error | undefined;
      try {
        return (await client.query(statement(text, parameters))).rows as R[];
      } catch (error) {
        if (isConnectionFailure(error)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    connectionConfig: { ...clientConfig, connectionTimeoutMillis: options.connectTimeoutMs ?? 0 },
    listen:
      options.transactionPooling && !options.listenConnectionString
        ? undefined
        : async (channel, onMessage, onLost) => {
            const client = new ListenClient({ ...listenConfig, application_name: applicationName(schema, 'listener') });
            try {
              await client.connect();
              await client.query(`LISTEN ${quoteIdentifier(channel, 'channel')}`);
            } catch (error) {
              await client.end().catch(() => {});
              throw error;
            }
            // watched only once listening: a connection that never opened is reported by the rejection above, once
            let over = false;
            const lost = (error: unknown) => {
              if (over) return;
              over = true;
              clearInterval(heartbeat);
              client.end().catch(() => {});
              onLost(error);
            };
            client.on('notification', (message) => onMessage(message.payload ?? ''));
            client.on('error', lost);
            client.on('end', () => lost(new Error('notification connection ended')));
            // a network that went silent closes nothing: a round trip now and then (bounded by the answer
            // timeout) finds it, instead of notifications quietly never arriving
            const heartbeat = setInterval(
              () => void client.query('SELECT 1').catch(lost),
              options.connectTimeoutMs ?? defaultConnectTimeoutMs,
            );
            heartbeat.unref();
            return {
              stop: async () => {
                over = true;
                clearInterval(heartbeat);
                await client.end().catch(() => {});
              },
            };
          },
    async withScriptTransaction(work) {
      const client = await acquire();
      let broken: Error | undefined;
      try {
        return await inTransaction(client, work);
      } catch (error) {
        if (isConnectionFailure(error)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async withIsolatedTransaction(work) {
      const client = new StoreClient({ ...clientConfig, application_name: applicationName(schema, 'script') });
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
