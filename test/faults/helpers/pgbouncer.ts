import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const binary = process.env.METALEDGER_PGBOUNCER ?? '/usr/sbin/pgbouncer';

/** A PgBouncer of the test's own, in transaction-pooling mode, in front of a given PostgreSQL. */
export interface PgBouncer {
  readonly port: number;
  url(database: string): string;
  stop(): Promise<void>;
}

const running = new Set<string>();
process.once('exit', () => {
  for (const pidFile of running) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts PgBouncer (as the postgres user when root: it refuses to run as root) on a free port with
 * pool_mode=transaction and few server connections, so every client's transactions hop between them.
 */
export async function startPgBouncer(upstream: { host: string; port: number }, serverConnections = 2): Promise<PgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'metaledger-pgbouncer-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  const port = await freePort();
  const pidFile = join(dir, 'pgbouncer.pid');
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    `[databases]
* = host=${upstream.host} port=${upstream.port} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = ${serverConnections}
max_client_conn = 500
server_reset_query =
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${pidFile}
`,
  );
  if (asRoot) chownSync(ini, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  const [command, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, '-d', ini]] : [binary, ['-d', ini]];
  await run(command, args, { timeout: 30_000 });
  running.add(pidFile);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  // answers once it listens
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt > 50) throw error;
      await sleep(100);
    }
  }
  return {
    port,
    url,
    async stop() {
      try {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(pid, 0);
          } catch {
            break;
          }
          await sleep(50);
        }
      } catch {
        // never started or already gone
      }
      running.delete(pidFile);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
