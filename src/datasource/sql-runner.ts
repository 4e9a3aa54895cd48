import { CompiledQuery } from 'kysely';
import type { MetaledgerDb } from './database-schema.js';

/** Runs one SQL statement with bound parameters; the hot paths take one so they can use a prepared one. */
export type SqlRunner = <R = Record<string, unknown>>(text: string, parameters: unknown[]) => Promise<R[]>;

/** A runner on a Kysely handle (a transaction, say), unprepared. */
export function kyselyRunner(db: MetaledgerDb): SqlRunner {
  return async <R>(text: string, parameters: unknown[]) => (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows as R[];
}
