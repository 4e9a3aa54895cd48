import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const bin = process.env.METALEDGER_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root: as root, its tools run as the postgres user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

/** A PostgreSQL server of the test's own: killed, restarted and filled at will, never the shared one. */
export interface PrivatePostgres {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres, with extra query parameters if given. */
  url(query?: string): string;
  /** `pg_ctl restart -m <mode>`; resolves when the server accepts connections again, with how long it was down. */
  restart(mode: ShutdownMode): Promise<{ downMs: number }>;
  stop(mode: ShutdownMode): Promise<void>;
  start(): Promise<void>;
  /** Runs SQL on a connection of its own (superuser), closed afterwards. */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Open backends whose application_name starts with `prefix`. */
  connections(prefix: string): Promise<number>;
  /** Stops the server (immediately) and removes its directory. */
  dispose(): Promise<void>;
}

const live = new Set<string>();
// a test process that dies leaves no server behind
process.once('exit', () => {
  for (const dataDir of live) {
    try {
      const [command, args] = asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']);
      execFileSync(command, args, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  }
});

/** initdb into a temporary directory and start a server on a free local port. */
export async function startPrivatePostgres(options: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'metaledger-pg-'));
  if (process.getuid?.() === 0) chownSync(root, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  const dataDir = join(root, 'data');
  const pgCtl = (args: string[]) => {
    const [command, full] = asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
    return run(command, full, { timeout: 120_000 });
  };
  // the server's output goes to a file: a pipe left open would keep pg_ctl's caller waiting
  const log = join(root, 'server.log');
  const [initdb, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  await run(initdb, initArgs, { timeout: 120_000 });
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${root}`,
    `-c listen_addresses=127.0.0.1`,
    `-c max_connections=${options.maxConnections ?? 60}`,
    '-c shared_buffers=16MB',
    '-c fsync=on',
  ].join(' ');
  live.add(dataDir);
  await pgCtl(['-o', settings, '-l', log, '-w', '-t', '120', 'start']);
  const url = (query?: string) => `postgres://postgres@127.0.0.1:${port}/postgres${query ? `?${query}` : ''}`;
  const query = async <T>(text: string, values?: unknown[]) => {
    const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    async restart(mode) {
      const started = Date.now();
      await pgCtl(['-m', mode, '-l', log, '-w', '-t', '120', 'restart']);
      return { downMs: Date.now() - started };
    },
    async stop(mode) {
      await pgCtl(['-m', mode, '-w', '-t', '120', 'stop']);
    },
    async start() {
      await pgCtl(['-o', settings, '-l', log, '-w', '-t', '120', 'start']);
    },
    query,
    async connections(prefix) {
      const [row] = await query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()',
        [`${prefix}%`],
      );
      return row.n;
    },
    async dispose() {
      await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
      live.delete(dataDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
