import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, DatasourceUnavailableError, MetadataDriver, type MetadataStore } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { recordFigure } from './helpers/figures.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';

/**
 * The connection breaks after the append statement reached the server and before its answer reached the
 * store: the write committed, and the store cannot know it. A retry must never apply it twice.
 */
describe('a write whose connection is lost after it was sent', () => {
  let postgres: PrivatePostgres;
  let proxy: FaultProxy;
  let store: MetadataStore;
  const eventsOf = async (name: string) =>
    (await postgres.query<{ n: number }>('SELECT count(*)::int AS n FROM lost.metadata_events WHERE name = $1', [name]))[0].n;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: postgres.port });
    store = await createMetadataStore({ connectionString: proxy.url('postgres'), schema: 'lost', connectTimeoutMs: 1_000 });
    store.onBackgroundError = () => {};
  });
  afterAll(async () => {
    proxy?.resume();
    await store?.close();
    await proxy?.close();
    await postgres?.dispose();
  });

  it('is re-sent by the store, which finds it committed and returns its outcome: applied once', async () => {
    const lost = proxy.loseReplyTo('"name":"resent-item"');
    const result = await store.save('object', { name: 'resent-item', metadata: { n: 1 } });
    await lost;
    expect(result).toMatchObject({ version: 1, created: true, replayed: true });
    expect(await eventsOf('resent-item')).toBe(1);
    // an update lost the same way
    const lostUpdate = proxy.loseReplyTo('"n":2');
    const updated = await store.save('object', { name: 'resent-item', metadata: { n: 2 } });
    await lostUpdate;
    expect(updated).toMatchObject({ version: 2, replayed: true });
    expect(await eventsOf('resent-item')).toBe(2);
    expect((await store.verify()).ok).toBe(true);
  });

  it('says its outcome is unknown when the database stays unreachable, and a re-send with its changeset id applies it once', async () => {
    const lost = proxy.loseReplyTo('"name":"unknown-item"', { thenHang: true });
    const error = await store.save('object', { name: 'unknown-item', metadata: {} }).catch((caught: unknown) => caught);
    await lost;
    expect(error).toBeInstanceOf(DatasourceUnavailableError);
    const unavailable = error as DatasourceUnavailableError;
    recordFigure('unknown outcome', { message: unavailable.message });
    expect(unavailable).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE', outcome: 'unknown', retryable: true });
    expect(unavailable.changesetId).toMatch(/^[0-9a-f-]{36}$/);
    expect(unavailable.message).toContain(unavailable.changesetId);
    proxy.resume();
    // it did commit (the server got it before the connection broke)
    expect(await eventsOf('unknown-item')).toBe(1);
    const resent = await store.save('object', { name: 'unknown-item', metadata: {} }, { changesetId: unavailable.changesetId });
    expect(resent).toMatchObject({ version: 1, created: true, replayed: true, changesetId: unavailable.changesetId });
    expect(await eventsOf('unknown-item')).toBe(1);
  });

  it('a transactional bulk operation whose COMMIT reply was lost is looked up by its changeset: applied once', async () => {
    const driver = new MetadataDriver(store);
    const records = Array.from({ length: 30 }, (_, i) => ({ type: 'object', name: `bulk-lost-${i}`, metadata: { i } }));
    const lost = proxy.loseReplyTo('commit');
    const result = await driver.bulkOperation({ operation: 'create', records, batch: { size: 10 } });
    await lost;
    expect(result).toMatchObject({ success: true, totals: { created: 30 } });
    const [{ events, changesets }] = await postgres.query<{ events: number; changesets: number }>(
      `SELECT count(*)::int AS events, count(DISTINCT changeset_id)::int AS changesets FROM lost.metadata_events WHERE name LIKE 'bulk-lost-%'`,
    );
    expect({ events, changesets }).toEqual({ events: 30, changesets: 1 });
    expect(result.changesetId).toBeDefined();
  });

  it('a batch of a non-transactional bulk operation whose reply was lost reports an unknown outcome, not a second write', async () => {
    const driver = new MetadataDriver(store);
    const records = Array.from({ length: 4 }, (_, i) => ({ type: 'object', name: `batch-lost-${i}`, metadata: { i } }));
    // the append carries the events (the heads read before it names the items too)
    const lost = proxy.loseReplyTo('"kind":"created"');
    const error = await driver
      .bulkOperation({ operation: 'create', records, transactional: false, batch: { size: 4 } })
      .catch((caught: unknown) => caught);
    await lost;
    expect(error).toBeInstanceOf(DatasourceUnavailableError);
    expect(error).toMatchObject({ outcome: 'unknown' });
    expect(await eventsOf('batch-lost-0')).toBe(1);
  });

  it('a write that failed before anything was sent says it was not applied', async () => {
    // no open connection left to send on, and none can be opened
    proxy.cut();
    await sleep(200);
    proxy.hang();
    try {
      const error = await store.save('object', { name: 'never-sent', metadata: {} }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DatasourceUnavailableError);
      expect(error).toMatchObject({ outcome: 'not-applied' });
    } finally {
      proxy.resume();
    }
    expect(await eventsOf('never-sent')).toBe(0);
  });
});
