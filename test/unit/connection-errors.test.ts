import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMetadataStore, DatasourceUnavailableError, isMetaledgerError } from '../../src/index.js';
import { connectionFailure, isConnectionFailure } from '../../src/datasource/connection-failure.js';
import { sqlStateOf, toMetaledgerError } from '../../src/datasource/database-errors.js';
import { resolveTimeouts } from '../../src/datasource/timeouts.js';

const refusal = (connectionString: string) =>
  createMetadataStore({ connectionString }).then(
    () => {
      throw new Error(`opened a store on ${connectionString}`);
    },
    (error: unknown) => error as Error,
  );

describe('a malformed connection URL is VALIDATION saying what is wrong, before any connection is tried', () => {
  it.each([
    ['not a url', 'is not a URL'],
    ['localhost:5432/db', 'is not a URL'],
    ['http://host/db', 'scheme must be postgres:// or postgresql://'],
    ['postgres://host:99999/db', 'port must be a number from 1 to 65535'],
    ['postgres://host:abc/db', 'port must be a number'],
    ['postgres:///db', 'names no host'],
    ['postgres://host/db?connect_timeout=soon', 'connect_timeout must be a whole number of seconds'],
    ['postgres://us er:pw@host/db', 'white space'],
    ['postgres://user:%zz@host/db', 'percent-encoding'],
  ])('%s', async (url, what) => {
    const error = await refusal(url);
    expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
    expect(error.message).toContain(what);
  });

  it('any string that is not a postgres:// URL is refused the same way, and never echoes a password in it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string().filter((text) => !/^postgres(ql)?:\/\//i.test(text)),
        fc.stringMatching(/^[A-Za-z0-9]{12,20}$/),
        async (text, secret) => {
          const error = await refusal(`${text}${secret}@`);
          expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
          expect(error.message).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a URL with a bad port never says the password either', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9]{12,20}$/), fc.integer({ min: 65536, max: 10_000_000 }), async (secret, port) => {
        const error = await refusal(`postgres://user:${secret}@host:${port}/db`);
        expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
        expect(error.message).not.toContain(secret);
      }),
      { numRuns: 100 },
    );
  });
});

describe('connection-level failures become DATASOURCE_UNAVAILABLE', () => {
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    '57P01',
    '57P02',
    '57P03',
    '53300',
    '08006',
    '08001',
    '28P01',
    '3D000',
  ];
  const messages = [
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error and is not queryable',
  ];

  it('by code or by node-postgres message, naming the target, never a secret, with a hint', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...codes).map((code) => ({ code, message: `failure ${code}` })),
          fc.constantFrom(...messages).map((message) => ({ code: undefined, message })),
        ),
        fc.stringMatching(/^[A-Za-z0-9]{12,20}$/),
        ({ code, message }, secret) => {
          const raw = Object.assign(new Error(`${message} (postgres://u:${secret}@h/db, ${secret})`), { code });
          expect(isConnectionFailure(raw)).toBe(true);
          const typed = connectionFailure(raw, { target: 'db.example:5432/app', secrets: [secret] });
          expect(typed).toBeInstanceOf(DatasourceUnavailableError);
          expect(typed).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE', status: 503, target: 'db.example:5432/app' });
          expect(typed!.message).toContain('db.example:5432/app');
          expect(typed!.message).not.toContain(secret);
          expect(typed!.message).toMatch(/retry|check|create/);
          // the store-wide mapper types them too (e.g. from pg-boss, PGlite), also without the secret
          const mapped = toMetaledgerError(raw, [secret]);
          expect(isMetaledgerError(mapped, 'DATASOURCE_UNAVAILABLE')).toBe(true);
          expect((mapped as Error).message).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('statement errors are left to their callers (a conflict, a syntax error)', () => {
    for (const code of ['ML409', '40001', '23505', '42601', '22P02']) {
      expect(isConnectionFailure(Object.assign(new Error('statement failed'), { code }))).toBe(false);
    }
  });

  it('retryable unless fixing the configuration is the only way', () => {
    const retryable = (code: string) => connectionFailure(Object.assign(new Error('x'), { code }), { secrets: [] })!.retryable;
    expect(['ECONNREFUSED', '57P01', '57P03', '53300', 'ECONNRESET'].map(retryable)).toEqual([true, true, true, true, true]);
    expect(['28P01', '3D000', 'ENOTFOUND'].map(retryable)).toEqual([false, false, false]);
  });
});

describe('timeouts', () => {
  it('explicit option > URL connect_timeout > default 10 s; 0 means no limit', () => {
    expect(resolveTimeouts({}, 'postgres://h/db')).toEqual({ connectTimeoutMs: 10_000, acquireTimeoutMs: 30_000 });
    expect(resolveTimeouts({}, 'postgres://h/db?connect_timeout=3')).toMatchObject({ connectTimeoutMs: 3_000 });
    expect(resolveTimeouts({}, 'postgres://h/db?connect_timeout=0')).toMatchObject({ connectTimeoutMs: null });
    expect(resolveTimeouts({ connectTimeoutMs: 250 }, 'postgres://h/db?connect_timeout=3')).toMatchObject({ connectTimeoutMs: 250 });
    expect(resolveTimeouts({ acquireTimeoutMs: 5 })).toMatchObject({ acquireTimeoutMs: 5 });
  });

  it('refuses what is not a whole number of milliseconds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noInteger: true }), fc.integer({ max: -1 }), fc.constant(Number.NaN)), (bad) => {
        expect(() => resolveTimeouts({ connectTimeoutMs: bad })).toThrow(/connectTimeoutMs/);
        expect(() => resolveTimeouts({ acquireTimeoutMs: bad })).toThrow(/acquireTimeoutMs/);
      }),
    );
    expect(() => resolveTimeouts({ acquireTimeoutMs: 0 })).toThrow(/acquireTimeoutMs/);
  });
});

describe('statement failures typed where the database is called', () => {
  it('a cancelled statement is TIMEOUT naming the timeout, a taken unique value CONFLICT keeping its SQLSTATE', () => {
    const cancelled = toMetaledgerError(
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      [],
      300,
    );
    expect(cancelled).toMatchObject({ code: 'TIMEOUT', status: 504, message: expect.stringContaining('cancelled after 300 ms') });
    const taken = toMetaledgerError(Object.assign(new Error('duplicate key'), { code: '23505', detail: 'Key (id)=(a) already exists.' }));
    expect(taken).toMatchObject({ code: 'CONFLICT', status: 409, message: expect.stringContaining('Key (id)=(a)') });
    expect(sqlStateOf(taken)).toBe('23505');
  });

  it("a missing table or function of metaledger's own is MIGRATION_FAILED (the store is not migrated); a user's own keeps its message", () => {
    const missing = (code: string, message: string) => Object.assign(new Error(message), { code });
    for (const raw of [
      missing('42P01', 'relation "metadata_events" does not exist'),
      missing('42P01', 'relation "crm.metadata_streams" does not exist'),
      missing('42P01', 'relation "_framework_metadata" does not exist'),
      missing('42883', 'function metadata_event_hash_v2(uuid, integer) does not exist'),
    ]) {
      const typed = toMetaledgerError(raw, [], undefined, 'crm');
      expect(typed).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(/schema 'crm' is not migrated/) });
      expect(sqlStateOf(typed)).toBe(raw.code);
    }
    for (const raw of [
      missing('42P01', 'relation "orders" does not exist'),
      missing('42883', 'function lower(integer) does not exist'),
      missing('42P01', 'relation "my_metadata_events" does not exist'),
    ]) {
      expect(toMetaledgerError(raw, [], undefined, 'crm')).toBe(raw);
    }
  });

  it('leaves conflicts the write path retries, and other statement errors, as they are', () => {
    for (const raw of [
      Object.assign(new Error('version moved'), { code: 'ML409' }),
      Object.assign(new Error('serialization'), { code: '40001' }),
      Object.assign(new Error('changeset id taken'), { code: '23505', constraint: 'metadata_changesets_pkey' }),
      Object.assign(new Error('syntax'), { code: '42601' }),
    ]) {
      expect(toMetaledgerError(raw)).toBe(raw);
      expect(sqlStateOf(raw)).toBe(raw.code);
    }
  });
});
