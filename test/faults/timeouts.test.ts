import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, isMetaledgerError, type MetadataStore } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { recordFigure } from './helpers/figures.js';
import { waitFor } from '../helpers/wait-for.js';

/** How long a promise took to settle, and how: a hang shows as `settled: false` after `limitMs`. */
async function timed<T>(work: Promise<T>, limitMs: number) {
  const started = Date.now();
  const outcome = await Promise.race([
    work.then(
      (value) => ({ settled: true as const, value, error: undefined }),
      (error: unknown) => ({ settled: true as const, value: undefined, error }),
    ),
    new Promise<{ settled: false; value: undefined; error: undefined }>((resolve) =>
      setTimeout(() => resolve({ settled: false, value: undefined, error: undefined }), limitMs).unref(),
    ),
  ]);
  return { ...outcome, ms: Date.now() - started };
}

describe('a server that accepts TCP and never answers', () => {
  let silent: FaultProxy;
  beforeAll(async () => {
    silent = await startFaultProxy();
  });
  afterAll(() => silent.close());

  it('honours connect_timeout in the URL', async () => {
    const outcome = await timed(createMetadataStore({ connectionString: silent.url('test', 'connect_timeout=1') }), 30_000);
    recordFigure('silent server, connect_timeout=1', { ms: outcome.ms });
    expect(outcome.settled).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect((outcome.error as Error).message).toContain(`127.0.0.1:${silent.port}`);
    // bounded by the setting (1 s), with room for a loaded machine; nowhere near a hang
    expect(outcome.ms).toBeLessThan(15_000);
  });

  it('honours the connectTimeoutMs option', async () => {
    const outcome = await timed(createMetadataStore({ connectionString: silent.url('test'), connectTimeoutMs: 500 }), 30_000);
    recordFigure('silent server, connectTimeoutMs=500', { ms: outcome.ms });
    expect(outcome.settled).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect(outcome.ms).toBeLessThan(15_000);
  });

  it('gives up after the default connect timeout (10 s) when nothing is configured', async () => {
    const outcome = await timed(createMetadataStore({ connectionString: silent.url('test') }), 60_000);
    recordFigure('silent server, default connect timeout', { ms: outcome.ms });
    expect(outcome.settled).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    expect(outcome.ms).toBeGreaterThanOrEqual(9_000);
  });
});

describe('a database that stops answering in the middle of work', () => {
  let postgres: PrivatePostgres;
  let proxy: FaultProxy;
  let store: MetadataStore;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: postgres.port });
    store = await createMetadataStore({
      connectionString: proxy.url('postgres'),
      schema: 'hang',
      connectTimeoutMs: 1_000,
      acquireTimeoutMs: 1_500,
      datasource: { pool: { max: 2 } },
      driver: { transaction: { timeout: 2_000 } },
      cache: { ttlSeconds: 3600 },
    });
    store.onBackgroundError = () => {};
    await store.save('object', { name: 'before', metadata: {} });
  });
  afterAll(async () => {
    proxy.resume();
    await store?.close();
    await proxy?.close();
    await postgres?.dispose();
  });

  it('bounds statements, pool waits and reconnects, and serves again once the network answers', async () => {
    proxy.hang();
    const saves = Array.from({ length: 4 }, (_, i) => timed(store.save('object', { name: `during-${i}`, metadata: {} }), 60_000));
    const load = timed(store.load('object', 'before', { cache: false }), 60_000);
    const outcomes = await Promise.all([...saves, load]);
    recordFigure('hung network: time until each call failed', { ms: outcomes.map((o) => o.ms) });
    for (const outcome of outcomes) {
      expect(outcome.settled).toBe(true);
      expect(isMetaledgerError(outcome.error, 'DATASOURCE_UNAVAILABLE')).toBe(true);
      // transaction.timeout (2 s) + connectTimeoutMs (1 s) is the longest any wait may last; a loaded machine adds to it
      expect(outcome.ms).toBeLessThan(20_000);
    }
    proxy.resume();
    const after = await timed(store.save('object', { name: 'after', metadata: {} }), 30_000);
    expect(after.error).toBeUndefined();
    expect(after.value).toMatchObject({ version: 1, created: true });
  });

  it('a listening connection whose network went silent is found and replaced: changes made meanwhile are not missed', async () => {
    const writer = await createMetadataStore({ connectionString: postgres.url(), schema: 'hang' });
    try {
      await writer.save('object', { name: 'watched', metadata: { v: 1 } });
      // once the notice of that save has come and gone, the reader holds v1 in its cache
      await sleep(500);
      expect((await store.load('object', 'watched')).data?.metadata).toEqual({ v: 1 });
      expect(await store.load('object', 'watched')).toMatchObject({ fromCache: true });
      proxy.hang();
      await writer.save('object', { name: 'watched', metadata: { v: 2 } });
      // the NOTIFY of that save is lost in the silent network; the heartbeat (every connectTimeoutMs, answer
      // bounded by transaction.timeout + connectTimeoutMs) finds the connection dead within ~4 s
      await sleep(6_000);
      proxy.resume();
      const resumed = Date.now();
      await waitFor(async () => (await store.load('object', 'watched')).data?.metadata.v === 2, 'the reader to see the change', 20_000);
      recordFigure('silent listening connection: change seen after the network answered again', { ms: Date.now() - resumed });
    } finally {
      proxy.resume();
      await writer.close();
    }
  });
});
