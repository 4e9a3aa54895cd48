import { MetaledgerError } from '../errors.js';
import { referenceFailure } from './reference-failure.js';
import { connectionFailure } from './connection-failure.js';
import { notMigrated } from './not-migrated.js';

interface DatabaseErrorLike {
  code?: string;
  message?: string;
}

/** The SQLSTATE metadata_expect_appended raises when a stream's version moved. */
export const versionConflictCode = 'ML409';

/** SQLSTATEs after which the same work may succeed if recomputed from fresh state. */
const conflictCodes = new Set([
  versionConflictCode,
  '40001', // serialization failure
  '40P01', // deadlock
]);

/**
 * A changeset id already taken: two sends of one write (its id is its idempotency key) raced, and the
 * retry finds the one that committed.
 */
const changesetTaken = (error: DatabaseErrorLike & { constraint?: string }) =>
  error?.code === '23505' && error.constraint === 'metadata_changesets_pkey';

/** True for a failure after which the same write may succeed if planned again from fresh state. */
export function isConflictFailure(error: unknown): boolean {
  return conflictCodes.has((error as DatabaseErrorLike)?.code ?? '') || changesetTaken(error as DatabaseErrorLike);
}

/**
 * A database failure as the caller sees it — the one mapping, applied by the datasource to every
 * statement it runs: a cancelled statement is TIMEOUT, a unique value already taken is CONFLICT, a
 * connection failure is DATASOURCE_UNAVAILABLE, a missing metaledger table in the store's `schema` (when
 * given) is MIGRATION_FAILED saying the store is not migrated; messages never carry credentials. Conflicts the write
 * path retries (`isConflictFailure`) and every other statement error are left as they are, so their
 * callers can still tell them apart by SQLSTATE. Typed errors pass through, so mapping twice is harmless.
 */
export function toMetaledgerError(error: unknown, secrets: (string | undefined)[] = [], timeoutMs?: number, schema?: string): unknown {
  if (error instanceof MetaledgerError || isConflictFailure(error)) return error;
  const { code, message = String(error) } = (error ?? {}) as DatabaseErrorLike;
  if (code === '57014') {
    return new MetaledgerError('TIMEOUT', `statement cancelled after ${timeoutMs ?? '?'} ms (transaction.timeout): ${message}`, {
      cause: error,
    });
  }
  const reference = referenceFailure(error);
  if (reference) return reference;
  const unmigrated = schema === undefined ? undefined : notMigrated(error, schema);
  if (unmigrated) return unmigrated;
  if (code === '23505') {
    // streams and events never collide (conditional upserts); what remains is a record id already taken
    const detail = (error as { detail?: string }).detail ?? message;
    return new MetaledgerError('CONFLICT', `unique value already used by another item: ${detail}`, { cause: error });
  }
  return connectionFailure(error, { secrets }) ?? error;
}

/** The SQLSTATE of a database failure, also once the datasource typed it (then its cause has it). */
export function sqlStateOf(error: unknown): string | undefined {
  const typed =
    error instanceof MetaledgerError ? (error.cause as DatabaseErrorLike | undefined) : (error as DatabaseErrorLike | undefined);
  return typed?.code;
}
