/** Every error metaledger throws is a MetaledgerError with a stable `code` a caller can switch on. */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'DATASOURCE_UNAVAILABLE'
  | 'MIGRATION_FAILED'
  | 'HISTORY_PRUNED'
  | 'INTEGRITY'
  | 'TIMEOUT'
  /** The HTTP API: no valid credentials were given (an API key or a token). */
  | 'UNAUTHENTICATED'
  /** A stored payload is of an older schema version than its type's, and this process has no upcaster for it. */
  | 'UPCASTER_MISSING'
  /** Nothing else explains it: a bug or an unexpected failure, reported with its message and cause. */
  | 'INTERNAL';

const statusByCode: Record<ErrorCode, number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  DATASOURCE_UNAVAILABLE: 503,
  MIGRATION_FAILED: 500,
  HISTORY_PRUNED: 410,
  INTEGRITY: 500,
  TIMEOUT: 504,
  UNAUTHENTICATED: 401,
  UPCASTER_MISSING: 500,
  INTERNAL: 500,
};

/** One problem of an invalid input: where (a dotted path, empty for the whole value) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * The one base class of every error metaledger throws: switch on `code`; `status` is the matching HTTP status.
 *
 * @example
 * ```ts
 * try {
 *   await store.save('object', record, { expectedVersion: 3 });
 * } catch (error) {
 *   if (isMetaledgerError(error, 'CONFLICT')) await retryLater();
 *   else throw error;
 * }
 * ```
 */
export class MetaledgerError extends Error {
  /** The HTTP status matching `code` (400 VALIDATION, 404 NOT_FOUND, 409 CONFLICT, …). */
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.status = statusByCode[code];
  }
}

/** The input was refused (`VALIDATION`): `issues` lists every problem with its path, and nothing was written. */
export class ValidationError extends MetaledgerError {
  constructor(
    readonly issues: ValidationIssue[],
    /** What was invalid, without the issues (e.g. "invalid record"). */
    readonly context = 'invalid input',
  ) {
    super('VALIDATION', `${context}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** A write expected another version than the item has (`CONFLICT`), or lost to concurrent writes after its retries. */
export class ConflictError extends MetaledgerError {
  constructor(
    message: string,
    readonly expectedVersion?: number,
    readonly actualVersion?: number,
  ) {
    super('CONFLICT', message);
  }
}

/** An item referrer items name (by a reference their type declares) cannot be deleted unless forced (`CONFLICT`). */
export class ReferencedError extends MetaledgerError {
  constructor(
    message: string,
    /** Every live item naming it, with the payload field that does. */
    readonly referrers: { type: string; name: string; path: string }[],
  ) {
    super('CONFLICT', message);
  }
}

/** The item (or another named thing) does not exist (`NOT_FOUND`). */
export class NotFoundError extends MetaledgerError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** True for a MetaledgerError (of `code`, when given): narrows `unknown` from a catch. */
export function isMetaledgerError(error: unknown, code?: ErrorCode): error is MetaledgerError {
  return error instanceof MetaledgerError && (code === undefined || error.code === code);
}

/**
 * What a write knows about itself when the connection failed: `not-applied` (nothing reached the database,
 * or the transaction was still open) or `unknown` (the statement or its commit was sent and no answer came:
 * it may have committed). Re-sending an `unknown` write with the same `changesetId` applies it at most once.
 */
export type WriteOutcome = 'not-applied' | 'unknown';

/**
 * The database could not be reached or the connection broke (`DATASOURCE_UNAVAILABLE`, 503). The message
 * names the server (never a password) and says whether retrying may help.
 */
export class DatasourceUnavailableError extends MetaledgerError {
  /** Set for writes: whether the write may have been applied. */
  readonly outcome?: WriteOutcome;
  /** The write's changeset id: its idempotency key for a re-send. */
  readonly changesetId?: string;
  /** False when the failure came before the statement left this process (connecting, waiting for the pool). */
  readonly sent: boolean;

  constructor(
    message: string,
    /** host:port/database (or the socket directory) the store was talking to, when known. */
    readonly target: string | undefined,
    /** True when the same call may succeed later unchanged (the server was down, busy or unreachable). */
    readonly retryable: boolean,
    options: { sent?: boolean; outcome?: WriteOutcome; changesetId?: string } = {},
  ) {
    super('DATASOURCE_UNAVAILABLE', message);
    this.sent = options.sent ?? true;
    this.outcome = options.outcome;
    this.changesetId = options.changesetId;
  }
}

/** A connection failure of a write that sent nothing that could commit: it says so, with its changeset id when it has one. */
export function writeNotApplied(error: DatasourceUnavailableError, changesetId?: string): DatasourceUnavailableError {
  return new DatasourceUnavailableError(`${error.message}; the write was not applied`, error.target, error.retryable, {
    sent: error.sent,
    outcome: 'not-applied',
    changesetId,
  });
}
