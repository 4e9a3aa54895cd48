import { CompiledQuery } from 'kysely';
import type { MetaledgerDb } from './database-schema.js';

/**
 * One named SQL statement: its text with `$n` placeholders and the values bound to them. Statements are
 * built by the functions of their aggregate's `statements.ts` (one place per statement, testable text);
 * `Row` is the shape of the rows it returns.
 */
export interface Statement<Row = Record<string, unknown>> {
  /** What the statement does, in kebab-case: for tests, logs and a reader. */
  readonly name: string;
  readonly text: string;
  readonly values: readonly unknown[];
  /** Never set: carries the row type from the statement's function to `runStatement`. */
  readonly row?: Row;
}

/** A statement of `name` with `text` and `values`, returning rows of `Row`. */
export function statement<Row = Record<string, unknown>>(name: string, text: string, values: readonly unknown[] = []): Statement<Row> {
  return { name, text, values };
}

/** Runs a statement on the datasource's query builder (or one of its transactions) and returns its rows. */
export async function runStatement<Row>(db: MetaledgerDb, { text, values }: Statement<Row>): Promise<Row[]> {
  return (await db.executeQuery<Row>(CompiledQuery.raw(text, [...values]))).rows as Row[];
}

/**
 * The values of a statement being built: `bind` adds one and returns its placeholder (`$n`), so
 * optional conditions number their parameters without counting by hand.
 */
export class Parameters {
  readonly values: unknown[] = [];

  constructor(...initial: unknown[]) {
    this.values.push(...initial);
  }

  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
