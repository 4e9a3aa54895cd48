import type { FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import type { Datasource } from '../../datasource/datasource.js';
import { redactSecrets } from '../../datasource/redact.js';
import { MetaledgerError, ValidationError } from '../../errors.js';
import {
  StrictMetadataMigrationOperationSchema,
  type MetadataMigrationType,
  type StrictMetadataMigrationOperationInput,
} from '../../protocol/index.js';
import { parseOptions } from '../../input/parse-input.js';
import { existingBackups, findMigration, recordMigration, wasRolledBack, type MigrationOutcome } from './migration-log.js';
import { inMigrationTransaction, type MigrationTx } from './migration-transaction.js';
import { applyOperation, automaticBackupName, type MigrationPolicy, type OperationOutcome, type ResolvedOperation } from './operations.js';
import { tableExists, verifyProjection } from './projection-shape.js';
import { assertContained, containmentBaseline } from './containment.js';
import { assertScriptsAllowed } from './script-guard.js';

export interface MigrationEnv extends MigrationPolicy {
  datasource: Datasource;
  table: FrameworkMetadataTable;
  /** Scrubbed from a failed script's message. */
  secrets: (string | undefined)[];
}

/** The outcome of `driver.migrate()`: its log entry, the table it touched and what it changed. */
export interface MigrationResult extends OperationOutcome {
  /** The metadata_migration_log entry. */
  id: number;
  operation: MetadataMigrationType;
  /** Schema-qualified projection table. */
  table: string;
  dryRun: boolean;
  outcome: Extract<MigrationOutcome, 'succeeded' | 'dry_run'>;
  /** What ran — or, in a dry run, what would run (it ran, then was rolled back). */
  statements: string[];
}

/** Who runs a migration operation. */
export interface MigrationContext {
  /** Who asked; the database user when not given. */
  actor?: string;
}

function refuse(path: string, message: string): never {
  throw new ValidationError([{ path, message }], 'invalid migration operation');
}

/** Checks the target and resolves backup names, before anything runs. */
async function resolve(
  env: MigrationEnv,
  input: StrictMetadataMigrationOperationInput,
): Promise<ResolvedOperation & { rollbackScript?: string; dryRun: boolean }> {
  const operation = parseOptions(StrictMetadataMigrationOperationSchema, input, 'migration operation');
  const { table } = env;
  if (operation.table !== table.name || (operation.schema ?? table.schema) !== table.schema) {
    refuse(
      'table',
      `migrations operate on the projection table ${table.schema}.${table.name} and its backups, not ${operation.schema ?? table.schema}.${operation.table}`,
    );
  }
  if (operation.script && (operation.type === 'backup' || operation.type === 'restore'))
    refuse('script', `a ${operation.type} copies the table itself and takes no script`);
  if (operation.backupName && !['backup', 'restore', 'drop'].includes(operation.type))
    refuse('backupName', `a ${operation.type} takes no backupName`);
  if (operation.backupName && operation.script)
    refuse('backupName', 'a drop removes either a backup (backupName) or runs a script, not both');
  assertScriptsAllowed({ script: operation.script, rollbackScript: operation.rollbackScript });
  let backupName = operation.backupName;
  if (operation.type === 'backup') {
    backupName ??= automaticBackupName(table);
    if ((await existingBackups(env.datasource.db, table)).includes(backupName) || backupName === table.name)
      refuse('backupName', `${backupName} already exists`);
  } else if (operation.type === 'restore' || backupName) {
    const backups = await existingBackups(env.datasource.db, table);
    backupName ??= backups[0];
    if (!backupName) refuse('backupName', `${table.schema}.${table.name} has no backup to restore`);
    if (!backups.includes(backupName)) refuse('backupName', `${backupName} is not an existing backup of ${table.schema}.${table.name}`);
  }
  return { type: operation.type, script: operation.script, rollbackScript: operation.rollbackScript, dryRun: operation.dryRun, backupName };
}

/**
 * Runs caller SQL, then restores the session the store's own statements rely on and proves the SQL
 * changed nothing but the projection table (else MIGRATION_FAILED, and the transaction rolls back).
 */
async function runContained(tx: MigrationTx, env: MigrationEnv, script: string): Promise<void> {
  const before = await containmentBaseline(tx, env.table);
  await tx.run(script);
  await tx.restoreSession();
  await assertContained(tx, env.table, before);
}

async function runGuarded(tx: MigrationTx, env: MigrationEnv, script: string, check: () => Promise<void>): Promise<void> {
  await runContained(tx, env, script);
  await check();
}

/** The projection must still serve the store after caller SQL, unless the caller dropped it. */
async function stillServes(tx: MigrationTx, table: FrameworkMetadataTable): Promise<void> {
  if (await tableExists(tx, table.qualifiedName)) await verifyProjection(tx, table, { indexes: false });
}

/**
 * One migration operation: checked, run in a transaction (rolled back for a dry run), recorded in
 * metadata_migration_log whatever the outcome. When it fails, the transaction is rolled back — nothing
 * half-done stays — and then the rollbackScript, if any, runs in a transaction of its own.
 */
export async function runMigration(
  env: MigrationEnv,
  input: StrictMetadataMigrationOperationInput,
  context: MigrationContext = {},
): Promise<MigrationResult> {
  const operation = await resolve(env, input);
  const { table } = env;
  const startedAt = new Date();
  const executed: string[] = [];
  const log = (outcome: MigrationOutcome, result: OperationOutcome, error?: string) =>
    recordMigration(env.datasource.db, {
      operation: operation.type,
      table,
      backupName: result.backupName,
      usedBackup: result.usedBackup,
      script: operation.script,
      rollbackScript: operation.rollbackScript,
      executedSql: executed,
      dryRun: operation.dryRun,
      outcome,
      error,
      actor: context.actor,
      startedAt,
    });
  try {
    const outcome = await inMigrationTransaction(env.datasource, table, { dryRun: operation.dryRun, executed }, async (tx) => {
      const result = await applyOperation(tx, table, env, operation, (script) => runContained(tx, env, script));
      // a dry run also proves the rollbackScript applies on top of the script
      if (operation.dryRun && operation.rollbackScript) await runGuarded(tx, env, operation.rollbackScript, () => stillServes(tx, table));
      return result;
    });
    const id = await log(operation.dryRun ? 'dry_run' : 'succeeded', outcome);
    return {
      id,
      operation: operation.type,
      table: `${table.schema}.${table.name}`,
      dryRun: operation.dryRun,
      outcome: operation.dryRun ? 'dry_run' : 'succeeded',
      statements: executed,
      ...outcome,
    };
  } catch (caught) {
    const failure = describeFailure(env, caught);
    let outcome: MigrationOutcome = operation.dryRun ? 'dry_run' : 'failed';
    let note = operation.dryRun ? 'dry run: nothing was changed' : 'the operation was rolled back';
    if (!operation.dryRun && operation.rollbackScript) {
      try {
        await inMigrationTransaction(env.datasource, table, { dryRun: false, executed: [] }, (tx) =>
          runGuarded(tx, env, operation.rollbackScript!, () => stillServes(tx, table)),
        );
        outcome = 'rolled_back';
        note += ', then the rollbackScript ran';
      } catch (rollbackError) {
        note += `, and the rollbackScript failed too: ${describeFailure(env, rollbackError).message}`;
      }
    }
    await log(outcome, {}, `${failure.message} (${note})`);
    throw new MetaledgerError(
      failure.code === 'TIMEOUT' ? 'TIMEOUT' : 'MIGRATION_FAILED',
      `${operation.type} of ${table.schema}.${table.name} failed: ${failure.message} (${note})`,
      { cause: caught },
    );
  }
}

/** Runs the rollbackScript of an earlier, successful migration on request; recorded as its own entry. */
export async function rollbackMigration(env: MigrationEnv, id: number, context: MigrationContext = {}): Promise<MigrationResult> {
  const { table } = env;
  const entry = await findMigration(env.datasource.db, id);
  if (!entry || entry.targetSchema !== table.schema || entry.targetTable !== table.name)
    refuse('id', `migration ${id} of ${table.schema}.${table.name} does not exist`);
  if (entry.outcome !== 'succeeded') refuse('id', `migration ${id} did not succeed (${entry.outcome}); there is nothing to roll back`);
  if (!entry.rollbackScript) refuse('id', `migration ${id} has no rollbackScript`);
  if (await wasRolledBack(env.datasource.db, id)) refuse('id', `migration ${id} was already rolled back`);
  assertScriptsAllowed({ rollbackScript: entry.rollbackScript });
  const startedAt = new Date();
  const executed: string[] = [];
  const log = (outcome: MigrationOutcome, error?: string) =>
    recordMigration(env.datasource.db, {
      operation: entry.operation,
      table,
      script: entry.rollbackScript!,
      executedSql: executed,
      dryRun: false,
      outcome,
      error,
      rollbackOf: id,
      actor: context.actor,
      startedAt,
    });
  try {
    await inMigrationTransaction(env.datasource, table, { dryRun: false, executed }, (tx) =>
      runGuarded(tx, env, entry.rollbackScript!, () => stillServes(tx, table)),
    );
  } catch (caught) {
    const failure = describeFailure(env, caught);
    await log('failed', failure.message);
    throw new MetaledgerError(
      failure.code === 'TIMEOUT' ? 'TIMEOUT' : 'MIGRATION_FAILED',
      `rollback of migration ${id} failed: ${failure.message} (it was rolled back)`,
      { cause: caught },
    );
  }
  const logId = await log('succeeded');
  return {
    id: logId,
    operation: entry.operation,
    table: `${table.schema}.${table.name}`,
    dryRun: false,
    outcome: 'succeeded',
    statements: executed,
  };
}

function describeFailure(env: MigrationEnv, error: unknown): { code?: string; message: string } {
  // typed by the datasource where it could be; a script's own error keeps its text (without the secrets)
  const message = redactSecrets(error instanceof Error ? error.message : String(error), env.secrets);
  return { code: error instanceof MetaledgerError ? error.code : undefined, message };
}
