import { ValidationError, type ValidationIssue } from '../errors.js';
import { parsePostgresUrl } from './postgres-url.js';

/** Opening one connection gives up after this long unless `connectTimeoutMs` or the URL's connect_timeout says otherwise. */
export const defaultConnectTimeoutMs = 10_000;
/** Waiting for a free connection of the pool gives up after this long unless `acquireTimeoutMs` says otherwise. */
export const defaultAcquireTimeoutMs = 30_000;

/** The bounds on waiting for a connection a caller may set (the statement bound is `transaction.timeout`). */
export interface ConnectionTimeouts {
  /**
   * Opening one connection (TCP, TLS, authentication), in milliseconds; 0 waits for ever. Default: the
   * connection URL's `connect_timeout` (seconds, as libpq), else 10 000.
   */
  connectTimeoutMs?: number;
  /** Waiting for a free connection when the pool is busy, in milliseconds. Default 30 000. */
  acquireTimeoutMs?: number;
}

/** The timeouts in force: explicit option > URL connect_timeout > default; null means no limit. */
export function resolveTimeouts(
  options: ConnectionTimeouts,
  connectionString?: string,
): { connectTimeoutMs: number | null; acquireTimeoutMs: number } {
  const issues: ValidationIssue[] = [];
  const { connectTimeoutMs, acquireTimeoutMs } = options;
  if (connectTimeoutMs !== undefined && (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 0)) {
    issues.push({ path: 'connectTimeoutMs', message: 'must be a whole number of milliseconds, 0 for no limit' });
  }
  if (acquireTimeoutMs !== undefined && (!Number.isInteger(acquireTimeoutMs) || acquireTimeoutMs < 1)) {
    issues.push({ path: 'acquireTimeoutMs', message: 'must be a positive whole number of milliseconds' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'invalid timeouts');
  const fromUrl = connectionString ? parsePostgresUrl(connectionString).connectTimeoutMs : undefined;
  return {
    connectTimeoutMs: connectTimeoutMs === 0 ? null : (connectTimeoutMs ?? (fromUrl === undefined ? defaultConnectTimeoutMs : fromUrl)),
    acquireTimeoutMs: acquireTimeoutMs ?? defaultAcquireTimeoutMs,
  };
}
