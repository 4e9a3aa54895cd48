import { ConflictError, MetaledgerError, NotFoundError, ValidationError, type ErrorCode, type ValidationIssue } from '../../errors.js';

/** How an error travels over HTTP: `{ error: { code, message, issues? } }` with the code's status. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ValidationIssue[] };
}

export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ValidationError)
    return { status: error.status, body: { error: { code: error.code, message: error.message, issues: error.issues } } };
  // anything unexpected stays on the server: its message may hold internals
  if (error instanceof MetaledgerError && error.code !== 'INTERNAL')
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

/** The error a response describes, with the same code (and issues) the server raised. */
export function fromErrorBody(status: number, body: unknown, what: string): MetaledgerError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  if (error?.code === 'VALIDATION' && Array.isArray(error.issues)) return new ValidationError(error.issues, error.message.split(':')[0]);
  if (error?.code === 'CONFLICT') return new ConflictError(error.message);
  if (error?.code === 'NOT_FOUND') return new NotFoundError(error.message);
  if (error && error.code !== 'INTERNAL') return new MetaledgerError(error.code, error.message);
  return new MetaledgerError('DATASOURCE_UNAVAILABLE', `${what}: the server answered ${status}${error ? ` (${error.message})` : ''}`);
}
