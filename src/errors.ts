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
  INTERNAL: 500,
};

export interface ValidationIssue {
  path: string;
  message: string;
}

export class MetaledgerError extends Error {
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

export class ValidationError extends MetaledgerError {
  constructor(
    readonly issues: ValidationIssue[],
    /** What was invalid, without the issues (e.g. "invalid record"). */
    readonly context = 'invalid input',
  ) {
    super('VALIDATION', `${context}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export class ConflictError extends MetaledgerError {
  constructor(
    message: string,
    readonly expectedVersion?: number,
    readonly actualVersion?: number,
  ) {
    super('CONFLICT', message);
  }
}

export class NotFoundError extends MetaledgerError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export function isMetaledgerError(error: unknown, code?: ErrorCode): error is MetaledgerError {
  return error instanceof MetaledgerError && (code === undefined || error.code === code);
}
