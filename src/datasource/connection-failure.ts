import { DatasourceUnavailableError, isMetaledgerError } from '../errors.js';
import { redactSecrets } from './redact.js';

interface FailureLike {
  code?: string;
  message?: string;
}

interface Kind {
  what: string;
  hint: string;
  retryable: boolean;
}

const down: Kind = { what: 'not reachable', hint: 'retry when the database is back', retryable: true };
const lost: Kind = { what: 'connection lost', hint: 'retry (the connection broke, the database may be restarting)', retryable: true };
const silent: Kind = {
  what: 'no answer in time',
  hint: 'check the host and the network, or raise connectTimeoutMs / connect_timeout; retry later',
  retryable: true,
};

/** Connection-level failures by error code: socket errors and SQLSTATEs that say the session is gone or never began. */
const byCode: Record<string, Kind> = {
  ECONNREFUSED: down,
  EHOSTUNREACH: down,
  ENETUNREACH: down,
  EAI_AGAIN: { what: 'host name not resolved', hint: 'retry when DNS answers', retryable: true },
  ENOTFOUND: { what: 'unknown host', hint: 'check the host name', retryable: false },
  ETIMEDOUT: silent,
  ECONNRESET: lost,
  EPIPE: lost,
  ECONNABORTED: lost,
  '08000': lost,
  '08003': lost,
  '08006': lost,
  '08001': down,
  '08004': { what: 'connection rejected', hint: 'check the server settings; retry later', retryable: true },
  '08P01': lost,
  '57P01': { what: 'server shutting down', hint: 'retry when the database is back', retryable: true },
  '57P02': { what: 'server crashed', hint: 'retry when the database is back', retryable: true },
  '57P03': { what: 'server starting up or shutting down', hint: 'retry in a moment', retryable: true },
  '53300': {
    what: 'too many connections',
    hint: 'the server has no free connection slot: retry shortly, lower pool.max or raise max_connections',
    retryable: true,
  },
  '28P01': { what: 'authentication failed', hint: 'check the user and password', retryable: false },
  '28000': { what: 'connection not authorized', hint: 'check the user and pg_hba.conf', retryable: false },
  '3D000': { what: 'database does not exist', hint: 'create it or fix its name', retryable: false },
};

/** Failures known by their message: node-postgres reports these without a code, and a pooler's refusal comes as a protocol error. */
const byMessage: [RegExp, Kind][] = [
  [
    /^unsupported startup parameter/,
    {
      what: 'a startup parameter was refused (is this a connection pooler?)',
      hint: 'behind PgBouncer in transaction-pooling mode, open the store with transactionPooling: true',
      retryable: false,
    },
  ],
  [/^Connection terminated due to connection timeout/, silent],
  [/^Connection terminated/, lost],
  [/^timeout expired/, silent],
  [/^timeout exceeded when trying to connect/, silent],
  [/^Query read timeout/, silent],
  [/is not queryable/, lost],
];

function kindOf(error: unknown): Kind | undefined {
  const { code, message = '' } = (error ?? {}) as FailureLike;
  return byMessage.find(([pattern]) => pattern.test(message))?.[1] ?? (code ? byCode[code] : undefined);
}

/** True for a failure of the connection itself (not of a statement): refused, lost, timed out, refused by the server. */
export function isConnectionFailure(error: unknown): boolean {
  return isMetaledgerError(error, 'DATASOURCE_UNAVAILABLE') || kindOf(error) !== undefined;
}

/** Where the failure happened: before anything was sent, or while a statement was on its way or running. */
export type FailurePhase = 'connect' | 'statement';

export interface FailureContext {
  /** host:port/database, when known */
  target?: string;
  secrets: (string | undefined)[];
  /** What the timeouts were, for messages. */
  connectTimeoutMs?: number | null;
  acquireTimeoutMs?: number;
}

/**
 * A connection-level failure as a DatasourceUnavailableError naming the server and what to do; undefined
 * for any other failure (a statement's own error stays as it is for the caller to map).
 */
export function connectionFailure(
  error: unknown,
  context: FailureContext,
  phase: FailurePhase = 'statement',
): DatasourceUnavailableError | undefined {
  if (error instanceof DatasourceUnavailableError) return error;
  const kind = kindOf(error);
  if (!kind) return undefined;
  const { code, message = String(error) } = error as FailureLike;
  const detail = redactSecrets(message, context.secrets);
  const acquire = /^timeout exceeded when trying to connect/.test(message);
  const what = acquire ? `no connection free within ${context.acquireTimeoutMs ?? '?'} ms (acquireTimeoutMs)` : kind.what;
  const timeout = kind === silent && !acquire && context.connectTimeoutMs ? ` (connect timeout ${context.connectTimeoutMs} ms)` : '';
  return new DatasourceUnavailableError(
    `database${context.target ? ` at ${context.target}` : ''} unavailable: ${what}${timeout}${code ? ` [${code}]` : ''}: ${detail}; ${kind.hint}`,
    context.target,
    kind.retryable,
    { sent: phase === 'statement' },
  );
}
