import { statement, type Statement } from '../datasource/statement.js';

// The schema migrations log (metaledger_migrations): what the migrator runs, as script text (it runs in a
// script transaction, where values are quoted into the text), and the readiness check's read.

/** A SQL string literal: quotes doubled. */
const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Creates the store's schema (`schema` an identifier already quoted) if it is not there. */
export function createSchemaScript(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${schema}`;
}

/** Waits for the migration lock of the schema named `schemaName`: concurrent starters migrate one at a time. */
export function migrationLockScript(schemaName: string): string {
  return `SELECT pg_advisory_xact_lock(hashtext(${quoted(`metaledger:${schemaName}`)}))`;
}

/** Works in the store's schema (`schema` quoted) for the rest of the transaction, with its migrations log there. */
export function prepareMigrationsLogScript(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${schema};
SET LOCAL search_path TO ${schema};
CREATE TABLE IF NOT EXISTS metaledger_migrations (
  name text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;
}

/** Every applied file's name and checksum. */
export const appliedChecksumsScript = 'SELECT name, checksum FROM metaledger_migrations';

/** Records one sql/ file as applied, with the checksum of the text that ran. */
export function recordMigrationScript(name: string, checksum: string): string {
  return `INSERT INTO metaledger_migrations (name, checksum) VALUES (${quoted(name)}, ${quoted(checksum)})`;
}

/** The names of the sql/ files applied to the store's schema, in file order (their names sort by number). */
export function appliedMigrations(): Statement<{ name: string }> {
  return statement('applied-migrations', 'SELECT name FROM metaledger_migrations ORDER BY name');
}
