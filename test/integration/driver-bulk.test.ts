import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { isMetaledgerError } from '../../src/index.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, LockHolder, sqlOf } from './driver-fixtures.js';

let fixtures: DriverFixtures;
let driver: MetadataDriver;

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_bulk'));
  driver = await fixtures.shared();
});
afterAll(() => fixtures.dispose());

const records = (type: string, count: number, metadata: (i: number) => Record<string, unknown> = (i) => ({ i })) =>
  Array.from({ length: count }, (_, i) => ({ type, name: `${type}_${String(i).padStart(5, '0')}`, metadata: metadata(i) }));

const eventCount = async (type: string) =>
  (await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM metadata_events WHERE type = $1', [type]))[0].n;

/** Which changesets and transactions the events of a changeset were written in. */
async function changesetOf(changesetId: string) {
  const [row] = await sqlOf<{ source: string; event_count: number; events: number; transactions: number }>(
    driver,
    `SELECT c.source, c.event_count, count(e.position)::int AS events, count(DISTINCT e.tx_id::text)::int AS transactions
     FROM metadata_changesets c LEFT JOIN metadata_events e ON e.changeset_id = c.id WHERE c.id = $1 GROUP BY c.id`,
    [changesetId],
  );
  return row;
}

describe('operations', () => {
  it('upsert creates then updates; every record is an event of one bulk changeset', async () => {
    const created = await driver.bulkOperation(
      { operation: 'upsert', records: records('up', 25), batch: { size: 10 } },
      { actor: 'loader', reason: 'import' },
    );
    expect(created).toMatchObject({
      success: true,
      operation: 'upsert',
      batches: 3,
      totals: { total: 25, succeeded: 25, failed: 0, created: 25 },
    });
    expect(created.results.map((r) => r.index)).toEqual([...Array(25).keys()]);
    expect(created.results.every((r) => r.ok && r.action === 'created' && r.version === 1)).toBe(true);
    expect(await changesetOf(created.changesetId!)).toEqual({ source: 'bulk', event_count: 25, events: 25, transactions: 1 });
    const [audit] = await sqlOf<{ actor: string; reason: string }>(driver, 'SELECT actor, reason FROM metadata_changesets WHERE id = $1', [
      created.changesetId,
    ]);
    expect(audit).toEqual({ actor: 'loader', reason: 'import' });

    const changed = records('up', 25, (i) => ({ i: i < 5 ? i + 100 : i }));
    const updated = await driver.bulkOperation({ operation: 'upsert', records: changed });
    expect(updated.totals).toMatchObject({ updated: 5, unchanged: 20, succeeded: 25 });
    expect(updated.results[0]).toMatchObject({ ok: true, action: 'updated', version: 2 });
    expect(updated.results[5]).toMatchObject({ ok: true, action: 'unchanged', version: 1 });
    expect((await driver.load('up', 'up_00000')).data?.metadata).toEqual({ i: 100 });
    expect(await eventCount('up')).toBe(30);
  });

  it('create fails on an existing item, update on a missing one, delete removes; update keeps fields it was not given', async () => {
    await driver.bulkOperation({
      operation: 'create',
      records: [
        { type: 'ops', name: 'a', namespace: 'crm', owner: 'bob', metadata: { v: 1 } },
        { type: 'ops', name: 'b', metadata: { v: 1 } },
      ],
    });
    const create = await driver.bulkOperation({ operation: 'create', records: [{ type: 'ops', name: 'a', metadata: {} }] }).catch((e) => e);
    expect(create).toMatchObject({ code: 'CONFLICT', written: false });
    const update = await driver
      .bulkOperation({ operation: 'update', records: [{ type: 'ops', name: 'missing', metadata: {} }] })
      .catch((e) => e);
    expect(update).toMatchObject({ code: 'NOT_FOUND' });
    const updated = await driver.bulkOperation({ operation: 'update', records: [{ type: 'ops', name: 'a', metadata: { v: 2 } }] });
    expect(updated.results[0]).toMatchObject({ action: 'updated', version: 2 });
    expect((await driver.load('ops', 'a')).data).toMatchObject({ namespace: 'crm', owner: 'bob', metadata: { v: 2 } });
    const deleted = await driver.bulkOperation({
      operation: 'delete',
      records: [
        { type: 'ops', name: 'a' },
        { type: 'ops', name: 'b' },
      ],
    });
    expect(deleted.totals).toMatchObject({ deleted: 2 });
    expect((await driver.load('ops', 'a')).data).toBeNull();
    const kinds = await sqlOf<{ kind: string }>(
      driver,
      `SELECT kind FROM metadata_events WHERE type = 'ops' AND name = 'a' ORDER BY version`,
    );
    expect(kinds.map((k) => k.kind)).toEqual(['created', 'updated', 'deleted']);
    await expect(driver.bulkOperation({ operation: 'delete', records: [{ type: 'ops', name: 'a' }] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses one item twice in a call, and bad records, before writing anything', async () => {
    const before = await eventCount('dup');
    const duplicate = await driver
      .bulkOperation({ operation: 'upsert', records: [...records('dup', 3), { type: 'dup', name: 'dup_00001', metadata: {} }] })
      .catch((e) => e);
    expect(duplicate).toMatchObject({ code: 'VALIDATION' });
    expect(duplicate.issues).toEqual([{ path: 'records.3', message: expect.stringContaining('records.1') }]);
    const invalid = await driver
      .bulkOperation({ operation: 'upsert', records: [{ type: 'dup', name: 'x', metadata: [] }] as never })
      .catch((e) => e);
    expect(invalid).toMatchObject({ code: 'VALIDATION' });
    expect(await eventCount('dup')).toBe(before);
  });

  it('an empty batch is a no-op for every operation: accepted, nothing written, no changeset', async () => {
    const changesets = async () => (await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM metadata_changesets'))[0].n;
    const before = await changesets();
    for (const operation of ['create', 'update', 'delete', 'upsert'] as const) {
      for (const transactional of [true, false]) {
        const result = await driver.bulkOperation({ operation, records: [], transactional });
        expect(result).toMatchObject({ success: true, operation, results: [], batches: 0, retries: 0 });
        expect(result.changesetId).toBeUndefined();
      }
    }
    expect(await changesets()).toBe(before);
  });
});

describe('batches', () => {
  it('batch.size records per append statement: a non-transactional call commits once per batch', async () => {
    const result = await driver.bulkOperation({
      operation: 'upsert',
      records: records('batched', 25),
      batch: { size: 10 },
      transactional: false,
    });
    expect(result.batches).toBe(3);
    expect(await changesetOf(result.changesetId!)).toEqual({ source: 'bulk', event_count: 25, events: 25, transactions: 3 });
  });

  it('performance.batchSize is the batch size when the call gives none', async () => {
    const small = new MetadataDriver(driver.store, { performance: { batchSize: 7 } });
    const result = await small.bulkOperation({ operation: 'upsert', records: records('sized', 25), transactional: false });
    expect(result.batches).toBe(4);
    expect((await changesetOf(result.changesetId!)).transactions).toBe(4);
    const given = await small.bulkOperation({
      operation: 'upsert',
      records: records('sized2', 25),
      batch: { size: 25 },
      transactional: false,
    });
    expect((await changesetOf(given.changesetId!)).transactions).toBe(1);
  });

  it('transactional: one failing record, nothing written, every other record reported as rolled back', async () => {
    await driver.bulkOperation({ operation: 'create', records: records('tx', 1) });
    const events = await eventCount('tx');
    const changesets = await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM metadata_changesets');
    // tx_00000 exists: the 1st of 3 batches holds it, batches 2 and 3 would be fine
    const error = await driver
      .bulkOperation({ operation: 'create', records: [...records('tx', 30)].reverse(), batch: { size: 10, continueOnError: true } })
      .catch((e) => e);
    expect(isMetaledgerError(error, 'CONFLICT')).toBe(true);
    expect(error.written).toBe(false);
    const failing = error.results.filter((r: { error?: { code: string } }) => r.error?.code === 'CONFLICT');
    expect(failing).toEqual([expect.objectContaining({ index: 29, name: 'tx_00000', ok: false })]);
    expect(error.results.filter((r: { error?: { code: string } }) => r.error?.code === 'ABORTED')).toHaveLength(29);
    expect(await eventCount('tx')).toBe(events);
    expect(await sqlOf(driver, 'SELECT count(*)::int AS n FROM metadata_changesets')).toEqual(changesets);
    expect((await driver.query({ filters: { type: 'tx' } })).total).toBe(1);
  });

  it('continueOnError without a transaction writes every good record and reports each bad one', async () => {
    await driver.bulkOperation({ operation: 'create', records: records('coe', 2) });
    const result = await driver.bulkOperation({
      operation: 'create',
      records: records('coe', 12),
      batch: { size: 5, continueOnError: true },
      transactional: false,
    });
    expect(result.success).toBe(false);
    expect(result.totals).toMatchObject({ total: 12, succeeded: 10, failed: 2, created: 10 });
    expect(result.results.slice(0, 3).map((r) => [r.ok, r.error?.code])).toEqual([
      [false, 'CONFLICT'],
      [false, 'CONFLICT'],
      [true, undefined],
    ]);
    expect((await changesetOf(result.changesetId!)).events).toBe(10);
    expect((await driver.query({ filters: { type: 'coe' } })).total).toBe(12);
  });

  it('without continueOnError a non-transactional call stops at the failing batch: earlier batches stay', async () => {
    await driver.bulkOperation({ operation: 'create', records: [{ type: 'stop', name: 'stop_00012', metadata: {} }] });
    const error = await driver
      .bulkOperation({ operation: 'create', records: records('stop', 20), batch: { size: 5 }, transactional: false })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', written: true });
    const status = (i: number) => (error.results[i].ok ? 'ok' : error.results[i].error.code);
    expect([0, 9, 10, 12, 14, 15, 19].map(status)).toEqual(['ok', 'ok', 'ABORTED', 'CONFLICT', 'ABORTED', 'ABORTED', 'ABORTED']);
    expect((await driver.query({ filters: { type: 'stop' } })).total).toBe(11);
  });

  it('batch.parallel runs the batches at once (serialised on PGlite), with the same outcome', async () => {
    const result = await driver.bulkOperation({
      operation: 'upsert',
      records: records('par', 40),
      batch: { size: 10, parallel: true },
      transactional: false,
    });
    expect(result).toMatchObject({ success: true, batches: 4, totals: { created: 40 } });
    expect(await changesetOf(result.changesetId!)).toMatchObject({ event_count: 40, events: 40, transactions: 4 });
  });

  it.skipIf(process.env.METALEDGER_TEST_BACKEND === 'pglite')(
    'batch.parallel: every batch is in flight on its own connection at the same time',
    async () => {
      const lock = await LockHolder.begin(fixtures.database.schema, 'LOCK TABLE metadata_streams IN SHARE ROW EXCLUSIVE MODE');
      const running = driver.bulkOperation({
        operation: 'upsert',
        records: records('inflight', 15),
        batch: { size: 5, parallel: true },
        transactional: false,
      });
      try {
        await lock.untilWaiting(3);
      } finally {
        await lock.release();
      }
      expect((await running).totals.created).toBe(15);
    },
  );
});

describe('scale and concurrency', () => {
  it('writes 10,000 records in one call', async () => {
    const result = await driver.bulkOperation({
      operation: 'upsert',
      records: records('big', 10_000, (i) => ({ label: `Item ${i}`, fields: { a: { type: 'text' } } })),
      batch: { size: 1000 },
    });
    expect(result.totals).toMatchObject({ created: 10_000, failed: 0 });
    expect(await changesetOf(result.changesetId!)).toMatchObject({ event_count: 10_000, events: 10_000 });
    expect((await driver.query({ filters: { type: 'big' } })).total).toBe(10_000);
  });

  it('concurrent bulk upserts over the same items lose no update and leave versions without gaps', async () => {
    const writers = 8;
    const items = 20;
    const drivers =
      fixtures.database.backend === 'postgres'
        ? await Promise.all([1, 2, 3, 4].map(() => fixtures.shared({ driver: { transaction: { maxRetries: 100 } } })))
        : [driver];
    const outcomes = await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        drivers[w % drivers.length].bulkOperation(
          { operation: 'upsert', records: records('hot', items, () => ({ writer: w })), batch: { size: 7 } },
          { actor: `w${w}` },
        ),
      ),
    );
    expect(outcomes.every((o) => o.success && o.totals.succeeded === items)).toBe(true);
    const perItem = await sqlOf<{ name: string; versions: number[]; writers: string[] }>(
      driver,
      `SELECT e.name, array_agg(e.version ORDER BY e.version) AS versions, array_agg(DISTINCT c.actor) AS writers
       FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id WHERE e.type = 'hot' GROUP BY e.name`,
    );
    expect(perItem).toHaveLength(items);
    for (const item of perItem) {
      expect(item.versions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
      expect(item.writers).toHaveLength(writers);
    }
    const changesets = await sqlOf<{ event_count: number }>(
      driver,
      `SELECT event_count FROM metadata_changesets WHERE id IN (SELECT changeset_id FROM metadata_events WHERE type = 'hot')`,
    );
    expect(changesets.map((c) => c.event_count)).toEqual(Array(writers).fill(items));
  });
});
