import { MetaledgerError } from '../../errors.js';
import type { Principal } from '../../service/principal.js';
import type { AuthConfig } from '../server-config.js';
import { apiKeyDirectory } from './api-keys.js';
import { jwtVerifier } from './jwt-verifier.js';

/** Who a request's credentials name; `undefined` when it carries none. Bad credentials are UNAUTHENTICATED. */
export type Authenticator = (authorization: string | undefined) => Promise<Principal | undefined>;

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** `Authorization: Bearer <token>`: an API key from the config, else (when configured) a JWT. */
export async function createAuthenticator(config: AuthConfig, env: NodeJS.ProcessEnv = process.env): Promise<Authenticator> {
  const keyOwner = apiKeyDirectory(config.apiKeys);
  const verifyJwt = config.jwt ? await jwtVerifier(config.jwt, env) : undefined;
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return undefined;
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization);
    if (!match) throw new MetaledgerError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <API key or token>"');
    const token = match[1];
    const principal = keyOwner(token);
    if (principal) return principal;
    if (verifyJwt && looksLikeJwt(token)) return verifyJwt(token);
    throw new MetaledgerError('UNAUTHENTICATED', 'unknown API key or token');
  };
}
