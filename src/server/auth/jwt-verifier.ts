import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MetaledgerError, ValidationError } from '../../errors.js';
import type { Principal } from '../../service/principal.js';
import type { JwtConfig } from '../server-config.js';

type VerificationKey = JWTVerifyGetKey | Uint8Array | CryptoKey;

const principalId = /^[^\s:,]+$/;

/** A claim by dotted path (`realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);
}

function rolesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string' && role.length > 0);
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

async function verificationKey(config: JwtConfig, env: NodeJS.ProcessEnv): Promise<VerificationKey> {
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl));
  if (config.publicKey) {
    const algorithm = config.algorithms?.[0];
    if (!algorithm)
      throw new ValidationError(
        [{ path: 'server.auth.jwt.algorithms', message: 'name the algorithm of publicKey' }],
        'invalid JWT settings',
      );
    return importSPKI(config.publicKey, algorithm);
  }
  const secret = config.secret ?? (config.secretEnv ? env[config.secretEnv] : undefined);
  if (!secret || secret.length < 32)
    throw new ValidationError(
      [
        {
          path: 'server.auth.jwt.secretEnv',
          message: `environment variable ${config.secretEnv} must hold a secret of at least 32 characters`,
        },
      ],
      'invalid JWT settings',
    );
  return new TextEncoder().encode(secret);
}

/**
 * Verifies a JWT's signature, expiry, issuer and audience with `jose`, then maps its claims to a
 * principal. Any failure is UNAUTHENTICATED, without the token in the message.
 */
export async function jwtVerifier(config: JwtConfig, env: NodeJS.ProcessEnv = process.env): Promise<(token: string) => Promise<Principal>> {
  const key = await verificationKey(config, env);
  const algorithms = config.algorithms ?? (key instanceof Uint8Array ? ['HS256', 'HS384', 'HS512'] : undefined);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        clockTolerance: config.clockToleranceSeconds,
      }));
    } catch (error) {
      throw new MetaledgerError('UNAUTHENTICATED', `invalid token: ${(error as { code?: string }).code ?? 'verification failed'}`);
    }
    const id = claimAt(payload, config.principalClaim);
    if (typeof id !== 'string' || !principalId.test(id))
      throw new MetaledgerError('UNAUTHENTICATED', `invalid token: claim ${config.principalClaim} does not name a principal`);
    return Object.freeze({ id, roles: rolesOf(claimAt(payload, config.rolesClaim)) });
  };
}
