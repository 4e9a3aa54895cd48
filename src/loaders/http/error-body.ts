import { ConflictError, MetaledgerError, NotFoundError, ValidationError, type ErrorCode, type ValidationIssue } from '../../errors.js';

/** The media type of every error body the HTTP API sends (RFC 9457). */
export const problemMediaType = 'application/problem+json';

/**
 * How an error travels over HTTP: an RFC 9457 problem document whose `code` is the store's error code
 * (`INTERNAL` for anything unexpected), with the zod issues of a validation error.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  issues?: ValidationIssue[];
}

const titles: Record<ErrorCode, string> = {
  VALIDATION: 'Invalid request',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  FORBIDDEN: 'Forbidden',
  DATASOURCE_UNAVAILABLE: 'Datasource unavailable',
  MIGRATION_FAILED: 'Migration failed',
  HISTORY_PRUNED: 'History pruned',
  INTEGRITY: 'Integrity problem',
  TIMEOUT: 'Timeout',
  UNAUTHENTICATED: 'Authentication required',
  UPCASTER_MISSING: 'Upcaster missing',
  INTERNAL: 'Internal server error',
};

/** A problem document with the store's error code and the HTTP status it is sent with. */
export function problemOf(code: ErrorCode, status: number, detail: string, issues?: ValidationIssue[]): ProblemBody {
  return { type: `urn:metaledger:problem:${code.toLowerCase()}`, title: titles[code], status, detail, code, ...(issues ? { issues } : {}) };
}

/** The problem a thrown error becomes; anything that is not a MetaledgerError stays on the server (its message may hold internals). */
export function toProblem(error: unknown, status?: number): ProblemBody {
  if (error instanceof ValidationError) return problemOf(error.code, status ?? error.status, error.message, error.issues);
  // anything unexpected stays on the server: its message may hold internals
  if (error instanceof MetaledgerError && error.code !== 'INTERNAL') return problemOf(error.code, status ?? error.status, error.message);
  return problemOf('INTERNAL', 500, 'internal server error');
}

/** The error a response describes, with the same code (and issues) the server raised. */
export function fromProblem(status: number, body: unknown, what: string): MetaledgerError {
  const problem = body as Partial<ProblemBody> | undefined;
  const code = typeof problem?.code === 'string' && problem.code in titles ? problem.code : undefined;
  const detail = typeof problem?.detail === 'string' ? problem.detail : '';
  if (code === 'VALIDATION' && Array.isArray(problem?.issues)) return new ValidationError(problem.issues, detail.split(':')[0]);
  if (code === 'CONFLICT') return new ConflictError(detail);
  if (code === 'NOT_FOUND') return new NotFoundError(detail);
  if (code && code !== 'INTERNAL') return new MetaledgerError(code, detail);
  return new MetaledgerError('DATASOURCE_UNAVAILABLE', `${what}: the server answered ${status}${detail ? ` (${detail})` : ''}`);
}
