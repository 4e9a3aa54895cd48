import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Datasource, ScriptExecutor } from './datasource.js';
import { quoteIdentifier } from './identifier.js';

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Embedded PostgreSQL (WASM): a data directory, or memory when none is given. One connection. */
export async function openPglite(dataDir: string | undefined, schema: string): Promise<Datasource> {
  const searchPath = quoteIdentifier(schema, 'schema');
  const client = new PGlite(dataDir);
  await client.waitReady;
  // the session every statement relies on; set again after SQL the store did not write (see withIsolatedTransaction)
  const sessionSettings = `SET search_path TO ${searchPath}; SET timezone TO 'UTC';`;
  await client.exec(`CREATE SCHEMA IF NOT EXISTS ${searchPath}; ${sessionSettings}`);
  const db = new Kysely<any>({ dialect: new PGliteDialect(client) });
  const withScriptTransaction = <T>(work: (exec: ScriptExecutor) => Promise<T>): Promise<T> =>
    client.transaction((tx) =>
      work(async (text) => {
        const results = await tx.exec(text);
        return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
      }),
    );
  const channels = async () =>
    (await client.query<{ channel: string }>('SELECT pg_listening_channels() AS channel')).rows.map((row) => row.channel);
  return {
    kind: 'pglite',
    schema,
    db,
    // one PGlite instance is one database, reachable only through this datasource
    identity: `pglite:${dataDir ?? `memory:${randomUUID()}`}#${schema}`,
    target: dataDir ?? 'memory',
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
          `RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; DISCARD TEMP; DEALLOCATE ALL; SELECT pg_advisory_unlock_all(); ${sessionSettings}`,
        );
        const now = await channels();
        const statements = [
          ...listening.filter((channel) => !now.includes(channel)).map((channel) => `LISTEN ${quoted(channel)};`),
          ...now.filter((channel) => !listening.includes(channel)).map((channel) => `UNLISTEN ${quoted(channel)};`),
        ];
        if (statements.length > 0) await client.exec(statements.join(' '));
      }
    },
    close: () => db.destroy(),
  };
}
