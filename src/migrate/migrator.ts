import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Datasource } from '../datasource/datasource.js';
import { sqlStateOf } from '../datasource/database-errors.js';
import { quoteIdentifier } from '../datasource/identifier.js';
import { runStatement } from '../datasource/statement.js';
import { MetaledgerError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import {
  appliedChecksumsScript,
  appliedMigrations,
  createSchemaScript,
  migrationLockScript,
  prepareMigrationsLogScript,
  recordMigrationScript,
} from './migration-statements.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export function readMigrationFiles(dir = join(packageRoot(), 'sql')): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Creates the schema in a transaction of its own, before the migration's: a transaction that looked the
 * schema up before waiting for the migration lock (behind a transaction pooler, setting its search_path
 * does) can keep believing it missing after a concurrent starter created it. Two creators racing: the
 * loser's unique violation means the schema exists.
 */
async function ensureSchema(datasource: Datasource, schema: string): Promise<void> {
  try {
    await datasource.withScriptTransaction((exec) => exec(createSchemaScript(schema)));
  } catch (error) {
    if (sqlStateOf(error) !== '23505') throw error;
  }
}

/**
 * Applies each numbered sql/ file once, in order, in the datasource's schema. One transaction under an
 * advisory lock, so concurrent starters wait instead of racing; a changed applied file stops everything.
 */
export async function migrate(datasource: Datasource, files = readMigrationFiles()): Promise<string[]> {
  const schema = quoteIdentifier(datasource.schema, 'schema');
  try {
    await ensureSchema(datasource, schema);
    return await datasource.withScriptTransaction(async (exec) => {
      await exec(migrationLockScript(datasource.schema));
      await exec(prepareMigrationsLogScript(schema));
      const applied = new Map((await exec(appliedChecksumsScript)).map((row) => [String(row.name), String(row.checksum)]));
      for (const [name, checksum] of applied) {
        const file = files.find((f) => f.name === name);
        if (file && file.checksum !== checksum) {
          throw new MetaledgerError(
            'MIGRATION_FAILED',
            `migration ${name} was changed after it was applied to schema ${datasource.schema} (checksum ${checksum.slice(0, 12)}… → ${file.checksum.slice(0, 12)}…); refusing to start`,
          );
        }
      }
      const pending = files.filter((file) => !applied.has(file.name));
      for (const file of pending) {
        await exec(file.sql);
        await exec(recordMigrationScript(file.name, file.checksum));
      }
      return pending.map((file) => file.name);
    });
  } catch (caught) {
    // the datasource typed what it could (a timeout, a lost connection); any other failure is the migration's
    if (caught instanceof MetaledgerError) throw caught;
    throw new MetaledgerError('MIGRATION_FAILED', `migration of schema ${datasource.schema} failed: ${(caught as Error).message}`, {
      cause: caught,
    });
  }
}

/** The sql/ files not yet applied to the store's schema (readiness checks: empty when up to date). */
export async function pendingMigrations(db: MetaledgerDb, files = readMigrationFiles()): Promise<string[]> {
  const applied = new Set((await runStatement(db, appliedMigrations())).map((row) => row.name));
  return files.filter((file) => !applied.has(file.name)).map((file) => file.name);
}
