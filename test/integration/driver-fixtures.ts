import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { createMetadataDriver } from '../../src/driver/create-driver.js';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import type { CreateMetadataStoreOptions } from '../../src/index.js';
import { databaseUrl, type TestDatabase } from '../helpers/test-store.js';

/**
 * Drivers for the driver-*.test.ts files. Each one gets a store opened with its options on the test's
 * database (on PGlite the stores share the one embedded database). `open` gives a driver in another
 * schema a database of its own on PGlite (a fresh in-memory one): PGlite's one connection serves one schema.
 */
export class DriverFixtures {
  private readonly extra: MetadataDriver[] = [];

  constructor(readonly database: TestDatabase) {}

  /** A driver on a store of the test database, opened with these options. */
  async shared(options: CreateMetadataStoreOptions = {}): Promise<MetadataDriver> {
    return new MetadataDriver(await this.database.open(options), options.driver).init();
  }

  /** A driver whose store is opened with exactly these options. */
  async open(options: CreateMetadataStoreOptions = {}): Promise<MetadataDriver> {
    if (this.database.backend === 'postgres' || (options.schema ?? this.database.schema) === this.database.schema)
      return this.shared(options);
    const driver = await createMetadataDriver({ inMemory: true, schema: this.database.schema, ...options });
    this.extra.push(driver);
    return driver;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.extra.map((driver) => driver.close()));
    await this.database.dispose();
  }
}

/** SQL on the driver's own database, whichever backend (assertions on the log and the catalog). */
export async function sqlOf<T = Record<string, unknown>>(driver: MetadataDriver, text: string, params: unknown[] = []): Promise<T[]> {
  const { rows } = await driver.store.db.executeQuery<T>(CompiledQuery.raw(text, params));
  return rows;
}

/**
 * A PostgreSQL session that holds a lock in an open transaction, to make the driver's statements wait
 * where a test wants to observe them (how many run at once, or a write landing in between).
 */
export class LockHolder {
  private constructor(
    private readonly client: pg.Client,
    readonly pid: number,
  ) {}

  static async begin(schema: string, lockSql: string): Promise<LockHolder> {
    const client = new pg.Client({ connectionString: databaseUrl(), options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('BEGIN');
    await client.query(lockSql);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return new LockHolder(client, rows[0].pid);
  }

  /** Backends waiting for this session's lock. */
  async waiting(): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
      [this.pid],
    );
    return rows[0].n;
  }

  /** Polls until `count` backends wait (fails after `deadlineMs`, which is a safety net, not a timing claim). */
  async untilWaiting(count: number, deadlineMs = 15_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while ((await this.waiting()) < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} waiting statements, saw ${await this.waiting()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async release(): Promise<void> {
    await this.client.query('COMMIT');
    await this.client.end();
  }
}
