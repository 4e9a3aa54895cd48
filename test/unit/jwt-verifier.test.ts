import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { generateApiKey, hashApiKey } from '../../src/server/auth/api-keys.js';
import { AuthConfigSchema } from '../../src/server/server-config.js';

let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwksUrl: string;
const jwks = createServer((_request, response) => {
  void exportJWK(keys.publicKey).then((jwk) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  });
});

beforeAll(async () => {
  keys = await generateKeyPair('RS256');
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

const sign = (claims: Record<string, unknown>, key = keys.privateKey) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.test').setExpirationTime('5m').sign(key);

describe('authentication', () => {
  it('verifies JWTs against a JWKS and maps nested role claims to the principal', async () => {
    const authenticate = await createAuthenticator(
      AuthConfigSchema.parse({ jwt: { jwksUrl, issuer: 'https://idp.test', rolesClaim: 'realm_access.roles' } }),
    );
    expect(await authenticate(`Bearer ${await sign({ sub: 'carol', realm_access: { roles: ['admin', 7] } })}`)).toEqual({
      id: 'carol',
      roles: ['admin'],
    });
    await expect(authenticate(`Bearer ${await sign({ sub: 'carol' }, (await generateKeyPair('RS256')).privateKey)}`)).rejects.toMatchObject(
      { code: 'UNAUTHENTICATED' },
    );
    await expect(authenticate(`Bearer ${await sign({ sub: 'bad id' })}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(
      authenticate(
        `Bearer ${await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://other').sign(keys.privateKey)}`,
      ),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('verifies JWTs with a PEM public key and refuses tokens without a principal claim', async () => {
    const authenticate = await createAuthenticator(
      AuthConfigSchema.parse({ jwt: { publicKey: await exportSPKI(keys.publicKey), algorithms: ['RS256'], principalClaim: 'email' } }),
    );
    expect(await authenticate(`Bearer ${await sign({ email: 'carol@example.com' })}`)).toEqual({ id: 'carol@example.com', roles: [] });
    await expect(authenticate(`Bearer ${await sign({ sub: 'carol' })}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('knows API keys only by their hash, and takes no credentials as no principal', async () => {
    const { key, hash } = generateApiKey();
    expect(hashApiKey(key)).toBe(hash);
    const authenticate = await createAuthenticator(AuthConfigSchema.parse({ apiKeys: [{ hash, principal: 'alice', roles: ['editor'] }] }));
    expect(await authenticate(`Bearer ${key}`)).toEqual({ id: 'alice', roles: ['editor'] });
    expect(await authenticate(`bearer   ${key}`)).toEqual({ id: 'alice', roles: ['editor'] });
    expect(await authenticate(undefined)).toBeUndefined();
    for (const header of [`Bearer ${hash}`, `Token ${key}`, `Bearer ${key} extra`, 'Bearer a.b.c'])
      await expect(authenticate(header), header).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses JWT settings that name no key, or two', () => {
    expect(AuthConfigSchema.safeParse({ jwt: {} }).success).toBe(false);
    expect(AuthConfigSchema.safeParse({ jwt: { jwksUrl, secret: 'x'.repeat(40) } }).success).toBe(false);
    expect(AuthConfigSchema.safeParse({ jwt: { secret: 'too short' } }).success).toBe(false);
  });
});
