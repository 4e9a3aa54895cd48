import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { toMetaledgerError } from './database-errors.js';
import type { MetaledgerDatabase } from './database-schema.js';
import type { Datasource, ScriptExecutor } from './datasource.js';
import { ValidationError } from '../errors.js';
import { quoteIdentifier } from './identifier.js';
import { lockDataDirectory, lockFileName, type DataDirectoryLock } from './pglite-lock.js';
import { seedOptions } from './pglite-seed.js';
import { withTypedErrors } from './typed-errors-dialect.js';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The session every statement relies on; set again after SQL the store did not write (see withIsolatedTransaction). */
const sessionSettings = (searchPath: string) => `SET search_path TO ${searchPath}; SET timezone TO 'UTC';`;

/** The directory PGlite keeps its files in, or undefined when it keeps them elsewhere (memory://, idb://). */
export function pgliteDirectory(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  if (dataDir.startsWith('file://')) return resolve(dataDir.slice('file://'.length));
  return dataDir.includes('://') ? undefined : resolve(dataDir);
}

/**
 * PostgreSQL's own timers (the idle statistics flush, every ~10 s) run as Emscripten timers that
 * `close()` leaves armed, and each one re-arms the next: a process that closed its last store stayed
 * alive for 10 s, or for ever. PGlite exports the call that disarms them (0.4.x).
 */
function disarmTimers(client: PGlite): void {
  const module = (client as unknown as { mod?: { _clear_setitimer?: () => void } }).mod;
  try {
    module?._clear_setitimer?.();
  } catch {
    // the runtime is already gone: nothing left to fire
  }
}

/**
 * A new database is created only in an empty (or new) directory: `--data-dir ~` must not spread
 * PostgreSQL's files among the user's own.
 */
async function checkDirectory(directory: string): Promise<void> {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const others = (await readdir(directory)).filter((entry) => !entry.startsWith(lockFileName));
  if (others.length === 0) return;
  throw new ValidationError(
    [{ path: directory, message: `holds other files (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}) and no database` }],
    'the embedded database needs an empty or new directory',
  );
}

/** Starts PGlite (a data directory, or memory); a failed start leaves nothing running. */
export async function startPglite(dataDir: string | undefined, directory: string | undefined): Promise<PGlite> {
  // one options object: PGlite reads its second argument only when the first is a string, so in memory
  // (no dataDir) the seed given beside it was dropped and initdb ran instead
  const client = new PGlite({ dataDir: directory ?? dataDir, ...(await seedOptions(dataDir, directory)) });
  try {
    await client.waitReady;
    return client;
  } catch (error) {
    await client.close().catch(() => {});
    disarmTimers(client);
    throw error;
  }
}

/**
 * Embedded PostgreSQL (WASM): a data directory, or memory when none is given. One connection, one
 * process: a data directory is locked for the process that opened it until `close()`.
 */
export async function openPglite(dataDir: string | undefined, schema: string): Promise<Datasource> {
  quoteIdentifier(schema, 'schema'); // a name that cannot be one starts nothing
  const directory = pgliteDirectory(dataDir);
  const lock: DataDirectoryLock | undefined = directory === undefined ? undefined : await lockDataDirectory(directory);
  const start = async () => {
    if (directory !== undefined) await checkDirectory(directory);
    return startPglite(dataDir, directory);
  };
  const client = await start().catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  const close = async () => {
    try {
      await client.close();
    } finally {
      disarmTimers(client);
      // only once PGlite has written its files may another process open them
      await lock?.release();
    }
  };
  const target = directory ?? dataDir ?? 'memory';
  // one PGlite instance is one database, reachable only through this datasource
  const identity = `pglite:${directory ?? `memory:${randomUUID()}`}#${schema}`;
  return pgliteDatasource(client, schema, { target, identity, close }).catch(async (error: unknown) => {
    await close().catch(() => {});
    throw error;
  });
}

/** Where a datasource over a PGlite client says it is, and what its `close()` does with the client. */
export interface PgliteDatasourceOptions {
  /** What messages name as the database (a directory, or memory). */
  target: string;
  /** The same for every datasource on this database and schema (see `Datasource.identity`). */
  identity: string;
  /** Lets go of the client when the store closes. */
  close(): Promise<void>;
}

/**
 * The datasource of a store in `schema` over a started PGlite client, whose one connection it puts in that
 * schema. The client serves one schema at a time: one store's, or several stores' of the same schema.
 */
export async function pgliteDatasource(client: PGlite, schema: string, options: PgliteDatasourceOptions): Promise<Datasource> {
  const searchPath = quoteIdentifier(schema, 'schema');
  await client.exec(`CREATE SCHEMA IF NOT EXISTS ${searchPath}; ${sessionSettings(searchPath)}`);
  // one embedded database: nothing to redact, no statement timeout to name
  const typed = (error: unknown) => toMetaledgerError(error, [], undefined, schema);
  const db = new Kysely<MetaledgerDatabase>({ dialect: withTypedErrors(new PGliteDialect(client), typed) });
  const withScriptTransaction = <T>(work: (exec: ScriptExecutor) => Promise<T>): Promise<T> =>
    client.transaction((tx) =>
      work(async (text) => {
        const results = await tx.exec(text).catch((error: unknown) => Promise.reject(typed(error)));
        return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
      }),
    );
  const channels = async () =>
    (await client.query<{ channel: string }>('SELECT pg_listening_channels() AS channel')).rows.map((row) => row.channel);
  return {
    kind: 'pglite',
    schema,
    db,
    identity: options.identity,
    target: options.target,
    async prepared<R>(text: string, parameters: unknown[]) {
      return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows as R[];
    },
    async listen(channel, onMessage) {
      return { stop: await client.listen(channel, onMessage) };
    },
    withScriptTransaction,
    // one connection: what the SQL may have left in the session is undone, and the store's own LISTENs restored
    async withIsolatedTransaction(work) {
      const listening = await channels();
      try {
        return await withScriptTransaction(work);
      } finally {
        await client.exec(
          `RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; DISCARD TEMP; DEALLOCATE ALL; SELECT pg_advisory_unlock_all(); ${sessionSettings(searchPath)}`,
        );
        const now = await channels();
        const statements = [
          ...listening.filter((channel) => !now.includes(channel)).map((channel) => `LISTEN ${quoted(channel)};`),
          ...now.filter((channel) => !listening.includes(channel)).map((channel) => `UNLISTEN ${quoted(channel)};`),
        ];
        if (statements.length > 0) await client.exec(statements.join(' '));
      }
    },
    close: options.close,
  };
}
