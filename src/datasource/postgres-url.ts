import { ValidationError } from '../errors.js';

/** What metaledger reads from a PostgreSQL connection URL itself (the rest is pg's business). */
export interface PostgresUrl {
  /** host:port/database, for messages: never the user's password. */
  target: string;
  /** `connect_timeout` (seconds, as libpq) in milliseconds; null for 0 (no limit); undefined when absent. */
  connectTimeoutMs?: number | null;
}

const example = 'postgres://user@host:5432/database';

function refuse(message: string): never {
  throw new ValidationError([{ path: 'connectionString', message }], 'invalid connection string');
}

/**
 * Checks a connection URL before any connection is tried, so a typo is a VALIDATION error that says what is
 * wrong instead of a DNS failure on some fragment of it. Messages never repeat the URL (it may hold a
 * password).
 */
export function parsePostgresUrl(connectionString: string): PostgresUrl {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(connectionString)?.[1];
  if (!scheme) refuse(`is not a URL: expected ${example}`);
  if (!/^postgres(ql)?$/i.test(scheme)) refuse(`scheme must be postgres:// or postgresql://, not ${scheme}://`);
  // the authority: optional user info, host (or [IPv6]), optional port
  const authority = /^[^:]+:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/.exec(connectionString)!;
  const [, host, port] = authority;
  if (/\s/.test(connectionString)) refuse('contains white space (percent-encode it)');
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    refuse('port must be a number from 1 to 65535');
  }
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    refuse(`is not a valid URL: expected ${example}`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    decodeURIComponent(url.pathname);
  } catch {
    refuse('malformed percent-encoding in the user, password or database name');
  }
  const socketDir = url.searchParams.get('host');
  if (!host && !socketDir) refuse(`names no host: expected ${example}`);
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  const target = `${socketDir ?? host}:${port ?? 5432}/${database}`;
  const timeout = url.searchParams.get('connect_timeout');
  if (timeout === null) return { target };
  if (!/^\d+$/.test(timeout)) refuse('connect_timeout must be a whole number of seconds');
  return { target, connectTimeoutMs: Number(timeout) === 0 ? null : Number(timeout) * 1000 };
}

/** host:port/database of a connection given as separate settings. */
export function describeTarget(config: { host?: string; port?: number; database?: string; user?: string }): string {
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? config.user ?? 'postgres'}`;
}
