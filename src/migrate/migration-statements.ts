import { statement, type Statement } from '../datasource/statement.js';

// Reads of the schema migrations table (the migrator's own writes run as scripts, see migrator.ts).

/** The names of the sql/ files applied to the store's schema, in file order (their names sort by number). */
export function appliedMigrations(): Statement<{ name: string }> {
  return statement('applied-migrations', 'SELECT name FROM metaledger_migrations ORDER BY name');
}
