import { MetaledgerError } from '../errors.js';

/** SQLSTATEs of a store whose tables or functions were never created: undefined table, undefined function. */
const missingObjectCodes = new Set(['42P01', '42883']);

/**
 * A store opened without migrating (migration.autoMigrate: false) on a database that was never migrated
 * fails its first query with a missing table. That is said as what it is, with how to fix it, instead of
 * PostgreSQL's bare "relation does not exist".
 */
export function notMigrated(error: unknown, schema: string): MetaledgerError | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (!code || !missingObjectCodes.has(code)) return undefined;
  return new MetaledgerError(
    'MIGRATION_FAILED',
    `the store in schema '${schema}' is not migrated (${message ?? code}): open it once with driver.migration.autoMigrate on (the default; every CLI command does) to create its tables`,
    { cause: error },
  );
}
