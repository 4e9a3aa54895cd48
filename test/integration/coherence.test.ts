import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionInfoProjection } from '../../projections/collection-info.js';
import { createMetadataStore, MetadataDriver, type MetadataStore } from '../../src/index.js';
import { applicationName } from '../../src/datasource/postgres.js';
import { jobSchema } from '../../src/projections/jobs.js';
import { countingProjection } from '../helpers/counting-projection.js';
import { backend, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-store.js';
import { scriptCommand } from '../helpers/script-command.js';

const run = promisify(execFile);

// Several stores on one PostgreSQL database must behave as one store. (PGlite is one process-local
// database with one store, so these tests are PostgreSQL only.)
describe.runIf(backend === 'postgres')('several instances on one database', () => {
  let database: TestDatabase;
  let a: MetadataStore;
  let b: MetadataStore;

  beforeAll(async () => {
    database = await createTestDatabase('coherence');
    const options = { driver: { transaction: { maxRetries: 100 } }, projections: { definitions: [collectionInfoProjection], jobs: {} } };
    a = await database.open(options);
    b = await database.open(options);
  });
  afterAll(() => database.dispose());

  it('B reads A’s write right after A’s save returns, though B had it cached', async () => {
    await a.save('object', { name: 'shared', metadata: { v: 0 } });
    for (let v = 1; v <= 20; v++) {
      await b.load('object', 'shared');
      expect((await b.load('object', 'shared')).fromCache).toBe(true);
      await a.save('object', { name: 'shared', metadata: { v } });
      const seen = await b.load('object', 'shared');
      expect(seen.data?.metadata).toEqual({ v });
    }
  });

  it('a write from another process reaches this process’s cache through NOTIFY (delay measured)', async () => {
    await a.save('object', { name: 'remote0', namespace: 'remote', metadata: { i: -1 } });
    await a.save('counter', { name: 'shared', metadata: { n: 0 } });
    await b.load('object', 'remote0');
    expect((await b.load('object', 'remote0')).fromCache).toBe(true);
    const writer = scriptCommand('test/helpers/writer-process.ts', [databaseUrl(), database.schema, 'remote', '1']);
    const child = run(writer.command, writer.args, { timeout: 60_000 });
    // b reads through its cache until the other process's write shows; every read is recorded
    const reads: { at: number; fromCache: boolean; i: unknown }[] = [];
    const watching = (async () => {
      while (reads.at(-1)?.i !== 0) {
        const { data, fromCache } = await b.load('object', 'remote0');
        reads.push({ at: Date.now(), fromCache, i: data?.metadata.i });
        if (data?.metadata.i !== 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const { stdout } = await child;
    await Promise.race([watching, new Promise((_, reject) => setTimeout(() => reject(new Error('never became visible')), 5000))]);
    const { firstSaveStartedAt, firstSavedAt } = JSON.parse(stdout) as { firstSaveStartedAt: number; firstSavedAt: number };
    const visible = reads.at(-1)!;
    // until then b served the old value from its cache (no polling of the database, no TTL expiry: the
    // cache keeps records an hour), so only the notification can have evicted it
    expect(reads.slice(0, -1).every((read) => read.fromCache && read.i === -1)).toBe(true);
    // the new value came from the database, after the other process began writing it
    expect(visible.fromCache).toBe(false);
    expect(visible.at).toBeGreaterThanOrEqual(firstSaveStartedAt);
    expect((await b.load('object', 'remote0')).fromCache).toBe(true);
    console.log(`cross-process cache invalidation: visible ${visible.at - firstSavedAt} ms after the other process's save returned`);
  });

  it('a head this store guessed from its own last write never causes a spurious conflict', async () => {
    // a second store the in-process bus does not link (another spelling of the same database):
    // A hears B's writes only through NOTIFY, so A's cached head is often stale when A writes next
    const url = new URL(databaseUrl());
    url.hostname = url.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
    const strict = { driver: { transaction: { retryOnConflict: false } } };
    const first = await database.open(strict);
    const second = await createMetadataStore({ connectionString: url.toString(), schema: database.schema, ...strict });
    try {
      await first.save('object', { name: 'pingpong', metadata: { n: 0 } }, { expectedVersion: 0 });
      for (let n = 1; n <= 30; n++) {
        const writer = n % 2 ? second : first;
        const saved = await writer.save('object', { name: 'pingpong', metadata: { n } }, { expectedVersion: n });
        expect(saved.version).toBe(n + 1);
      }
      await expect(first.save('object', { name: 'pingpong', metadata: { n: -1 } }, { expectedVersion: 5 })).rejects.toMatchObject({
        code: 'CONFLICT',
        actualVersion: 31,
      });
    } finally {
      await second.close();
    }
  });

  it('bulk writes reach a store that hears them only through NOTIFY', async () => {
    // another spelling of the same database: not linked by the in-process bus, as another process would be
    const url = new URL(databaseUrl());
    url.hostname = url.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
    const elsewhere = await createMetadataStore({ connectionString: url.toString(), schema: database.schema });
    try {
      await a.save('object', { name: 'bulk0', metadata: { v: 0 } });
      await elsewhere.load('object', 'bulk0');
      expect((await elsewhere.load('object', 'bulk0')).fromCache).toBe(true);
      await new MetadataDriver(a).bulkOperation({ operation: 'upsert', records: [{ type: 'object', name: 'bulk0', metadata: { v: 1 } }] });
      await waitFor(async () => (await elsewhere.load('object', 'bulk0')).data?.metadata.v === 1);
    } finally {
      await elsewhere.close();
    }
  });

  it('when the notification connection drops, the cache is cleared and the listener comes back', async () => {
    await a.save('object', { name: 'dropped', metadata: { v: 1 } });
    await b.load('object', 'dropped');
    expect((await b.load('object', 'dropped')).fromCache).toBe(true);
    const listeners = `SELECT pid FROM pg_stat_activity WHERE application_name = $1`;
    await database.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`, [applicationName(database.schema, 'listener')]);
    await waitFor(async () => !(await b.load('object', 'dropped')).fromCache);
    // reconnected: a change made by a raw writer elsewhere (simulated with NOTIFY) is heard again
    await waitFor(
      async () =>
        (
          await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${listeners}) l`, [
            applicationName(database.schema, 'listener'),
          ])
        )[0].n >= 2,
    );
    await b.load('object', 'dropped');
    await database.query(`SELECT pg_notify('metaledger_changes', $1)`, [
      JSON.stringify({ s: database.schema, k: [['object', 'dropped']] }),
    ]);
    await waitFor(async () => !(await b.load('object', 'dropped')).fromCache);
  });

  it('close() ends every connection the store opened, so the process can exit', async () => {
    const schema = `${database.schema}_closing`;
    const store = await createMetadataStore({ connectionString: databaseUrl(), schema });
    // a save alone never runs a query through Kysely (prepared statements use the pool directly)
    await store.save('object', { name: 'closing', metadata: {} });
    const open = async () =>
      (
        await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name IN ($1, $2)`, [
          applicationName(schema, 'pool'),
          applicationName(schema, 'listener'),
        ])
      )[0].n;
    expect(await open()).toBeGreaterThanOrEqual(2);
    await store.close();
    // an idle pooled connection left behind would linger for the pool's 10 s idle timeout
    await waitFor(async () => (await open()) === 0, 5_000);
    await database.query(`DROP SCHEMA "${schema}" CASCADE`);
  });

  it('concurrent writers in this process and two others: nothing lost, projections caught up and equal to a replay', async () => {
    const children = ['p1', 'p2'].map((prefix) => {
      const writer = scriptCommand('test/helpers/writer-process.ts', [databaseUrl(), database.schema, prefix, '30', 'jobs']);
      return run(writer.command, writer.args, { timeout: 120_000 });
    });
    const local = Promise.all(
      [a, b].map(async (store, index) => {
        for (let i = 0; i < 30; i++)
          await store.update('counter', 'shared', (current) => ({ ...current, metadata: { n: (current.metadata.n as number) + 1 } }), {
            actor: `local${index}`,
          });
      }),
    );
    await Promise.all([...children, local]);
    const counter = (await a.load('counter', 'shared', { cache: false })).data!;
    expect(counter.metadata.n).toBe(30 * 2 + 30 * 2 + 1);
    const versions = await database.query<{ version: number }>(
      `SELECT version FROM metadata_events WHERE type = 'counter' AND name = 'shared' ORDER BY version`,
    );
    expect(versions.map((r) => r.version)).toEqual(versions.map((_, i) => i + 1));
    // pg-boss catches collection-info up on one instance or another
    await waitFor(async () => (await a.projectionStatus()).find((p) => p.name === 'collection-info')!.lagEvents === 0, 30_000);
    const live = await a.collectionInfo();
    await a.rebuild('collection-info');
    expect(await a.collectionInfo()).toEqual(live);
    expect((await a.verify()).problems).toEqual([]);
  });

  it('a rebuild can be requested as a job from any instance', async () => {
    const jobId = await b.projections.requestRebuild('collection-info');
    expect(jobId).toBeTruthy();
    const jobs = b.projections.jobRunner!;
    await waitFor(async () => (await jobs.jobState(jobs.rebuildQueue(), jobId!)) === 'completed', 30_000);
  });
});

describe.runIf(backend === 'postgres')('scheduled maintenance jobs', () => {
  it('retention and snapshot compaction are scheduled when configured, and run as jobs', async () => {
    const database = await createTestDatabase('maintenance');
    try {
      const store = await database.open({
        snapshotEvery: 1000,
        projections: {
          jobs: { retention: { cron: '0 3 * * *', olderThanDays: 0, keepVersions: 2 }, compaction: { cron: '30 3 * * *', every: 3 } },
        },
      });
      for (let i = 1; i <= 10; i++) await store.save('object', { name: 'aging', metadata: { i } });
      const jobs = store.projections.jobRunner!;
      const schedules = await jobs.schedules();
      expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual([
        [jobs.compactionQueue(), '30 3 * * *'],
        [jobs.retentionQueue(), '0 3 * * *'],
      ]);
      const compaction = await jobs.requestCompaction(3);
      await waitFor(async () => (await jobs.jobState(jobs.compactionQueue(), compaction!)) === 'completed', 30_000);
      expect(
        (await database.query<{ version: number }>('SELECT version FROM metadata_snapshots ORDER BY version')).map((r) => r.version),
      ).toEqual([4, 7, 10]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const retention = await jobs.requestRetention(0, 2);
      await waitFor(async () => (await jobs.jobState(jobs.retentionQueue(), retention!)) === 'completed', 30_000);
      expect(
        (await database.query<{ version: number }>('SELECT version FROM metadata_events ORDER BY version')).map((r) => r.version),
      ).toEqual([9, 10]);
      expect((await store.getAt('object', 'aging', { version: 8 })).document?.metadata).toEqual({ i: 8 });
      expect((await store.verify()).problems).toEqual([]);
    } finally {
      await database.dispose();
    }
  });
});

describe.runIf(backend === 'postgres')('pg-boss takes over a dead worker’s job', () => {
  it('a worker killed inside a catch-up: its job expires and another instance completes it', async () => {
    const database = await createTestDatabase('takeover');
    try {
      const worker = scriptCommand('test/helpers/stuck-projector-process.ts', [databaseUrl(), database.schema]);
      const child = spawn(worker.command, worker.args, { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('stuck') && resolve());
        child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      const queue = `metaledger.${database.schema}.project.takeover`;
      const [active] = await database.query<{ id: string }>(
        `SELECT id FROM ${jobSchema(database.schema)}.job WHERE name = $1 AND state = 'active'`,
        [queue],
      );
      expect(active).toBeDefined();
      child.kill('SIGKILL');
      const survivor = await database.open({
        projections: { definitions: [countingProjection('takeover')], jobs: { expireInSeconds: 2, maintenanceIntervalSeconds: 1 } },
      });
      await waitFor(async () => {
        const [job] = await database.query<{ state: string; retry_count: number }>(
          `SELECT state, retry_count FROM ${jobSchema(database.schema)}.job WHERE id = $1`,
          [active.id],
        );
        return job?.state === 'completed' && job.retry_count >= 1;
      }, 60_000);
      await waitFor(async () => (await survivor.projectionStatus()).find((p) => p.name === 'takeover')!.lagEvents === 0, 30_000);
      const rows = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM takeover_events');
      expect(rows[0].n).toBe(1);
    } finally {
      await database.dispose();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
