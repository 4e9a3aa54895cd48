import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataStore, DatasourceUnavailableError } from '../../src/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { freePort } from './helpers/free-port.js';
import { recordFigure } from './helpers/figures.js';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';

const password = 's3cr3t-Pa55';

function expectUnavailable(error: unknown, target: string): asserts error is DatasourceUnavailableError {
  expect(error).toBeInstanceOf(DatasourceUnavailableError);
  const unavailable = error as DatasourceUnavailableError;
  expect(unavailable).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE', status: 503 });
  expect(unavailable.message).toContain(target);
  expect(unavailable.message).not.toContain(password);
  expect(unavailable.message).toMatch(/retry|check/);
}

/**
 * Opens a store whose migration waits on an advisory lock the test holds, runs `breakIt` once the
 * migration's connection is waiting, and returns how the open failed.
 */
async function failMigration(postgres: PrivatePostgres, url: string, schema: string, breakIt: (pid: number) => Promise<void>) {
  const holder = new pg.Client({ connectionString: postgres.url() });
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(hashtext($1))', [`metaledger:${schema}`]);
    const opening = createMetadataStore({ connectionString: url, schema }).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    const pid = await waitFor(async () => {
      const [row] = await postgres.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [`metaledger pool ${schema}`],
      );
      return row?.pid;
    }, 'the migration to wait for the lock');
    await breakIt(pid);
    return await opening;
  } finally {
    await holder.end();
  }
}

describe('connection-level failures are DATASOURCE_UNAVAILABLE, naming the server, never the password', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres({ maxConnections: 12 });
    await postgres.query(`ALTER USER postgres PASSWORD '${password}'`);
  });
  afterAll(() => postgres?.dispose());

  it('connection refused', async () => {
    const port = await freePort();
    const error = await createMetadataStore({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/db` }).catch(
      (caught: unknown) => caught,
    );
    expectUnavailable(error, `127.0.0.1:${port}/db`);
    expect(error.retryable).toBe(true);
  });

  it('an unknown host is DATASOURCE_UNAVAILABLE saying to check the host name', async () => {
    const error = await createMetadataStore({ connectionString: `postgres://postgres:${password}@no-such-host.invalid:5432/db` }).catch(
      (caught: unknown) => caught,
    );
    expectUnavailable(error, 'no-such-host.invalid:5432/db');
    expect(error.message).toContain('check the host name');
  });

  it('57P01: the migrating connection terminated by an administrator is not MIGRATION_FAILED', async () => {
    const error = await failMigration(postgres, postgres.url(), 'terminated', async (pid) => {
      await postgres.query('SELECT pg_terminate_backend($1)', [pid]);
    });
    expectUnavailable(error, `127.0.0.1:${postgres.port}/postgres`);
    expect(error.message).toMatch(/57P01|connection lost/);
  });

  it('"Connection terminated unexpectedly" (the network drops mid-migration) is not MIGRATION_FAILED', async () => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: postgres.port });
    try {
      const error = await failMigration(postgres, proxy.url('postgres'), 'dropped', async () => proxy.cut());
      expectUnavailable(error, `127.0.0.1:${proxy.port}/postgres`);
      expect(error.message).toContain('connection lost');
    } finally {
      await proxy.close();
    }
  });

  it('53300: a server with no free connection slot', async () => {
    const fillers: pg.Client[] = [];
    try {
      // superusers may use every slot: fill all of them
      for (;;) {
        const client = new pg.Client({ connectionString: postgres.url() });
        client.on('error', () => {});
        try {
          await client.connect();
        } catch {
          break;
        }
        fillers.push(client);
      }
      const error = await createMetadataStore({ connectionString: postgres.url() }).catch((caught: unknown) => caught);
      recordFigure('server full', { fillers: fillers.length, message: (error as Error).message });
      expectUnavailable(error, `127.0.0.1:${postgres.port}/postgres`);
      expect(error.message).toContain('53300');
      expect(error.retryable).toBe(true);
    } finally {
      await Promise.all(fillers.map((client) => client.end().catch(() => {})));
    }
  });
});
