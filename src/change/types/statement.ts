import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { CompiledQuery } from 'kysely';

/** One SQL statement: its text and bound values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** Runs a statement and returns its rows. */
export async function runStatement<R>(db: MetaledgerDb, statement: Statement): Promise<R[]> {
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(statement.text, statement.values));
  return rows;
}
