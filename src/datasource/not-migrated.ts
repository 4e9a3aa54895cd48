import { MetaledgerError } from '../errors.js';

/**
 * The missing table or function is one of metaledger's own (the event log's `metadata_*` objects or the
 * default `_framework_metadata` projection): what a store that was never migrated fails with. A user's
 * migration script naming a table of its own is not that, and keeps PostgreSQL's message.
 */
const missingStoreObject = /^(relation|function) "?(?:[\w$]+\.)?(metadata_\w+|_framework_metadata)\b/;

/**
 * A store opened without migrating (migration.autoMigrate: false) on a database that was never migrated
 * fails its first statement with a missing table or function. That is said as what it is, with how to
 * fix it, instead of PostgreSQL's bare "relation does not exist"; the SQLSTATE stays on the cause.
 */
export function notMigrated(error: unknown, schema: string): MetaledgerError | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if ((code !== '42P01' && code !== '42883') || !missingStoreObject.test(message ?? '')) return undefined;
  return new MetaledgerError(
    'MIGRATION_FAILED',
    `the store in schema '${schema}' is not migrated (${message}): open it once with driver.migration.autoMigrate on (the default; every CLI command does) to create its tables`,
    { cause: error },
  );
}
