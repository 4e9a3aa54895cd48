import { cpus, loadavg, release, totalmem } from 'node:os';
import pg from 'pg';

/** Where the figures came from: they mean little without the machine and the server settings. */
export async function describeMachine(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
       WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'max_connections', 'jit')`,
    );
    return {
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
      postgres: Object.fromEntries(rows.map((row) => [row.name, row.setting])),
    };
  } finally {
    await client.end();
  }
}
