import { SignJWT } from 'jose';
import type { MetadataStore } from '../../src/index.js';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { createMetadataServer, listenMetadataServer, type MetadataServerOptions } from '../../src/server/create-server.js';
import { createMetadataService } from '../../src/service/create-service.js';
import { createTestDatabase, type TestDatabase } from './test-store.js';

/** The principals every HTTP test signs in as: an admin, two users, and a JWT-only admin. */
export const people = {
  root: { id: 'root', roles: ['admin'] },
  alice: { id: 'alice', roles: [] as string[] },
  bob: { id: 'bob', roles: [] as string[] },
} as const;

export type Person = keyof typeof people;

const jwtSecret = 'a-test-secret-that-is-long-enough-for-hs256';

/** A JWT for a principal, signed with the test server's shared secret (or another one, to be refused). */
export function signJwt(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setIssuer('https://idp.test')
    .setAudience('metaledger')
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? jwtSecret));
}

export interface TestServer {
  url: string;
  database: TestDatabase;
  store: MetadataStore;
  /** Each person's API key. */
  keys: Record<Person, string>;
  /** Authorization headers per person; `anonymous` sends none. */
  as(person: Person | 'anonymous'): Record<string, string>;
  /** fetch against the server, as a person, with a JSON body when given. */
  call(
    path: string,
    init?: { as?: Person | 'anonymous'; method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** A server on an ephemeral port of 127.0.0.1 over a fresh test database, with API keys and JWTs configured. */
export async function startTestServer(tag: string, options: Partial<MetadataServerOptions> = {}): Promise<TestServer> {
  const database = await createTestDatabase(tag);
  const store = await database.open();
  const generated = Object.fromEntries(Object.keys(people).map((person) => [person, generateApiKey()])) as Record<
    Person,
    { key: string; hash: string }
  >;
  const apiKeys = (Object.keys(people) as Person[]).map((person) => ({
    hash: generated[person].hash,
    principal: people[person].id,
    roles: [...people[person].roles],
  }));
  const server = await listenMetadataServer(
    createMetadataServer({
      service: createMetadataService({ store, source: 'http' }),
      store,
      env: { TEST_JWT_SECRET: jwtSecret },
      ...options,
      auth: {
        apiKeys,
        jwt: { secretEnv: 'TEST_JWT_SECRET', issuer: 'https://idp.test', audience: 'metaledger' },
        anonymousReads: true,
        ...options.auth,
      },
    }),
  );
  const keys = Object.fromEntries(Object.entries(generated).map(([person, { key }]) => [person, key])) as Record<Person, string>;
  const as = (person: Person | 'anonymous'): Record<string, string> =>
    person === 'anonymous' ? {} : { authorization: `Bearer ${keys[person]}` };
  return {
    url: server.url,
    database,
    store,
    keys,
    as,
    call: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { ...as(init.as ?? 'root'), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    async close() {
      await server.close();
      await database.dispose();
    },
  };
}
