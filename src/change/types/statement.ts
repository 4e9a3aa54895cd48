import { CompiledQuery, type Kysely } from 'kysely';

/** One SQL statement: its text and bound values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** Runs a statement and returns its rows. */
export async function runStatement<R>(db: Kysely<any>, statement: Statement): Promise<R[]> {
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(statement.text, statement.values));
  return rows;
}
