import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { notificationsOffWarning } from '../../src/cache/change-notifications.js';
import { waitFor } from '../helpers/wait-for.js';
import { recordFigure } from './helpers/figures.js';
import { startPgBouncer, type PgBouncer } from './helpers/pgbouncer.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';

describe('behind PgBouncer in transaction-pooling mode', () => {
  let postgres: PrivatePostgres;
  let bouncer: PgBouncer;
  const stores: MetadataStore[] = [];
  const open = async (schema: string, options: Parameters<typeof createMetadataStore>[0] = {}) => {
    const store = await createMetadataStore({
      connectionString: bouncer.url('postgres'),
      schema,
      transactionPooling: true,
      listenConnectionString: postgres.url(),
      cache: { ttlSeconds: 3600 },
      ...options,
    });
    store.onBackgroundError = () => {};
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    // a server whose default time zone is far from UTC: a write that relied on session state would show it
    await postgres.query(`ALTER SYSTEM SET timezone = 'Pacific/Kiritimati'`);
    await postgres.query('SELECT pg_reload_conf()');
    bouncer = await startPgBouncer({ host: '127.0.0.1', port: postgres.port }, 2);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await bouncer?.stop();
    await postgres?.dispose();
  });

  it('a store that does not know it is behind a pooler cannot open, and is told which setting it needs', async () => {
    const error = await createMetadataStore({ connectionString: bouncer.url('postgres'), schema: 'unaware' }).catch(
      (caught: unknown) => caught,
    );
    expect(isMetaledgerError(error, 'DATASOURCE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('transactionPooling: true');
  });

  it('with transactionPooling, concurrent writers of two schemas share two server connections and nothing leaks between them', async () => {
    const [a, b] = await Promise.all([open('pool_a'), open('pool_b')]);
    const started = Date.now();
    const writes = (store: MetadataStore, prefix: string) =>
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 15; i++) {
          await store.save('object', { name: `${prefix}_${writer}_${i % 5}`, metadata: { writer, i } });
          await store.update('counter', 'shared', (current) => ({ ...current, metadata: { n: (current.metadata.n as number) + 1 } }));
        }
      });
    await a.save('counter', { name: 'shared', metadata: { n: 0 } });
    await b.save('counter', { name: 'shared', metadata: { n: 0 } });
    await Promise.all([...writes(a, 'a'), ...writes(b, 'b')]);
    recordFigure('pgbouncer: 2 × 8 writers, 240 saves + 240 updates', { ms: Date.now() - started });
    for (const [store, schema, other] of [
      [a, 'pool_a', 'b_'],
      [b, 'pool_b', 'a_'],
    ] as const) {
      expect((await store.load('counter', 'shared', { cache: false })).data?.metadata).toEqual({ n: 120 });
      const rows = await postgres.query<{ n: number; foreign: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE name LIKE $1)::int AS foreign FROM ${schema}._framework_metadata WHERE type = 'object'`,
        [`${other}%`],
      );
      expect(rows[0]).toEqual({ n: 40, foreign: 0 });
      expect((await store.list('object')).length).toBe(40);
      expect((await store.verify()).ok).toBe(true);
      // audit columns in UTC whatever the server's time zone
      const [skew] = await postgres.query<{ hours: number }>(
        `SELECT abs(extract(epoch FROM max(updated_at) - (now() AT TIME ZONE 'UTC')) / 3600)::float AS hours FROM ${schema}._framework_metadata`,
      );
      expect(skew.hours).toBeLessThan(1);
    }
    // explicit transactions (serializable saves) and history reads go through the pooler too
    await a.save('object', { name: 'serial', metadata: {} }, { transaction: { enabled: true, isolationLevel: 'serializable' } });
    expect((await a.history('object', 'serial')).events).toHaveLength(1);
  });

  it('changes are heard through the direct listen connection', async () => {
    const [reader, writer] = await Promise.all([open('heard'), open('heard')]);
    await writer.save('object', { name: 'item', metadata: { v: 1 } });
    expect((await reader.load('object', 'item')).data?.metadata).toEqual({ v: 1 });
    const saved = Date.now();
    await writer.save('object', { name: 'item', metadata: { v: 2 } });
    await waitFor(async () => (await reader.load('object', 'item')).data?.metadata.v === 2, 'the reader to hear the change');
    recordFigure('pgbouncer: change heard through listenConnectionString', { ms: Date.now() - saved });
  });

  it('without listenConnectionString, the store warns that its cache falls back to the TTL, and works', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const store = await open('unheard', { listenConnectionString: undefined, cache: { ttlSeconds: 1 } });
      await sleep(50);
      expect(warnings.map((warning) => (warning as Error & { code?: string }).code)).toContain(notificationsOffWarning);
      expect(warnings.find((warning) => (warning as Error & { code?: string }).code === notificationsOffWarning)?.message).toMatch(/ttl/i);
      const other = await open('unheard');
      await store.save('object', { name: 'x', metadata: { v: 1 } });
      expect((await store.load('object', 'x')).data?.metadata).toEqual({ v: 1 });
      await other.save('object', { name: 'x', metadata: { v: 2 } });
      // no notification: the cached record lives until its TTL (1 s) runs out, then the change shows
      await waitFor(async () => (await store.load('object', 'x')).data?.metadata.v === 2, 'the TTL to expire', 10_000);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
