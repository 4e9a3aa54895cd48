import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Datasource } from './datasource.js';
import { quoteIdentifier } from './identifier.js';

/** Embedded PostgreSQL (WASM): a data directory, or memory when none is given. One connection. */
export async function openPglite(dataDir: string | undefined, schema: string): Promise<Datasource> {
  const searchPath = quoteIdentifier(schema, 'schema');
  const client = new PGlite(dataDir);
  await client.waitReady;
  await client.exec(`CREATE SCHEMA IF NOT EXISTS ${searchPath}; SET search_path TO ${searchPath}; SET timezone TO 'UTC';`);
  const db = new Kysely<any>({ dialect: new PGliteDialect(client) });
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
    withScriptTransaction: (work) =>
      client.transaction((tx) =>
        work(async (text) => {
          const results = await tx.exec(text);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        }),
      ),
    close: () => db.destroy(),
  };
}
