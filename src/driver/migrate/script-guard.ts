import type { FrameworkMetadataTable } from '../../../projections/framework-metadata-table.js';
import { MetaledgerError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { MigrationTx } from './migration-transaction.js';

// The log and its bookkeeping: the source of truth no migration operation may touch.
const logObjects = [
  'metadata_events',
  'metadata_streams',
  'metadata_changesets',
  'metaledger_migrations',
  'metadata_migration_log',
  'metadata_event_hash',
  'metadata_expect_appended',
];

const refusals: { pattern: RegExp; message: string }[] = [
  {
    pattern: new RegExp(`\\b(${logObjects.join('|')})\\b`, 'i'),
    message: 'touches the event log ($1); migrations operate on the projection table and its backups only',
  },
  { pattern: /\bdrop\s+(schema|owned|database)\b/i, message: 'drops a whole $1, which would take the event log with it' },
  // the driver owns the transaction: a COMMIT inside a script would make a dry run or a rollback impossible
  {
    pattern:
      /(^|;)\s*(commit|rollback|abort|savepoint|release|start\s+transaction|prepare\s+transaction|begin\s*(;|$|transaction\b|work\b|isolation\b))/i,
    message: 'controls the transaction ($2); the driver runs each script in a transaction of its own',
  },
  // a session setting would stay on the pooled connection after the migration
  {
    pattern: /(^|;)\s*(reset\b|set\s+(?!local\b|constraints\b|transaction\b))/i,
    message: 'changes a session setting; use SET LOCAL so it ends with the migration',
  },
];

/** Refuses, before anything runs, a script that names the log or escapes the driver's transaction. */
export function checkScript(script: string | undefined, path: string): ValidationIssue[] {
  if (script === undefined) return [];
  return refusals.flatMap(({ pattern, message }) => {
    const match = pattern.exec(script);
    return match ? [{ path, message: `the script ${message.replace(/\$(\d)/g, (_, n) => (match[Number(n)] ?? '').trim())}` }] : [];
  });
}

export function assertScriptsAllowed(scripts: Record<string, string | undefined>): void {
  const issues = Object.entries(scripts).flatMap(([path, script]) => checkScript(script, path));
  if (issues.length > 0) throw new ValidationError(issues, 'migration script refused');
}

export interface LogFingerprint {
  relation: string;
  node: string;
  row: string;
  changed: string;
}

/**
 * The state of every log table in the store's schema as this transaction sees it: its storage (a
 * TRUNCATE or rewrite changes it), its catalog row (any ALTER / RENAME changes its xmin) and the rows
 * this transaction inserted, updated or deleted. A script that got past the name check through dynamic
 * SQL still cannot change the log unnoticed.
 */
// Only validated identifiers are placed in this text.
function fingerprintSql(storeSchema: string, table: FrameworkMetadataTable): string {
  return `
SELECT c.relname AS relation, pg_relation_filenode(c.oid)::text AS node, c.xmin::text AS row,
       concat_ws('/', pg_stat_get_xact_tuples_inserted(c.oid), pg_stat_get_xact_tuples_updated(c.oid), pg_stat_get_xact_tuples_deleted(c.oid)) AS changed
FROM pg_class c
WHERE c.relnamespace = to_regnamespace('"${storeSchema}"') AND c.relkind = 'r' AND c.relname ~ '^(metadata|metaledger)_'
  AND NOT (c.relnamespace = to_regnamespace('"${table.schema}"') AND c.relname = '${table.name}')
  AND c.relname NOT IN (SELECT backup_name FROM metadata_migration_log WHERE backup_name IS NOT NULL AND target_schema = '${table.schema}')
ORDER BY c.relname`;
}

export function fingerprintLog(tx: MigrationTx, storeSchema: string, table: FrameworkMetadataTable): Promise<LogFingerprint[]> {
  return tx.rows<LogFingerprint>(fingerprintSql(storeSchema, table));
}

/** Every log table there before is still there, unchanged (tables made since, such as a backup, are not the log). */
export async function assertLogUntouched(
  tx: MigrationTx,
  storeSchema: string,
  table: FrameworkMetadataTable,
  before: LogFingerprint[],
): Promise<void> {
  const after = new Map((await fingerprintLog(tx, storeSchema, table)).map((entry) => [entry.relation, JSON.stringify(entry)]));
  if (before.some((entry) => after.get(entry.relation) !== JSON.stringify(entry))) {
    throw new MetaledgerError(
      'MIGRATION_FAILED',
      'the script changed the event log tables; migrations may only change the projection table and its backups',
    );
  }
}
