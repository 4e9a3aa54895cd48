import { ValidationError } from '../errors.js';
import type { DatasourceSslOptions, SslMode } from '../protocol/index.js';

/** What node-postgres takes as `ssl`: off, on with defaults, or TLS options (node's tls.ConnectionOptions). */
export type PgSsl = boolean | Record<string, unknown>;

function refuse(message: string): never {
  throw new ValidationError([{ path: 'config.sslMode', message }], 'invalid datasource');
}

/**
 * The datasource's `config.ssl` and `config.sslMode` as node-postgres's `ssl`, with libpq's meanings:
 * `disable` no TLS; `require` TLS without checking the server's certificate (unless `ssl` asks to);
 * `verify-ca` TLS with the certificate checked against the CA; `verify-full` that and the host name.
 * `allow` and `prefer` would try one kind of connection and fall back to the other, which
 * node-postgres cannot do, so they are refused rather than quietly turned into one of the others.
 */
export function sslFor(ssl: boolean | DatasourceSslOptions | undefined, sslMode: SslMode | undefined): PgSsl | undefined {
  if (sslMode === undefined) return ssl;
  const options: Record<string, unknown> = typeof ssl === 'object' ? { ...ssl } : {};
  switch (sslMode) {
    case 'disable':
      if (ssl !== undefined && ssl !== false) refuse("'disable' turns TLS off, but config.ssl turns it on");
      return false;
    case 'allow':
    case 'prefer':
      return refuse(
        `'${sslMode}' falls back between TLS and plain connections, which node-postgres cannot do: use 'disable' or 'require' (or 'verify-ca' / 'verify-full')`,
      );
    case 'require':
      if (ssl === false) refuse("'require' needs TLS, but config.ssl is false");
      return { ...options, rejectUnauthorized: options.rejectUnauthorized ?? false };
    case 'verify-ca':
    case 'verify-full':
      if (ssl === false) refuse(`'${sslMode}' needs TLS, but config.ssl is false`);
      if (options.rejectUnauthorized === false) refuse(`'${sslMode}' checks the certificate, but config.ssl.rejectUnauthorized is false`);
      // verify-ca checks the chain only; verify-full (node's default) checks the host name too
      return sslMode === 'verify-ca'
        ? { ...options, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { ...options, rejectUnauthorized: true };
  }
}
