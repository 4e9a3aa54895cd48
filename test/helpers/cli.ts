import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { main } from '../../src/cli/main.js';
import { createMetadataStore, type MetadataStore } from '../../src/index.js';
import { runScript, type ScriptRun } from './run-script.js';
import { backend, databaseUrl, uniqueSchema } from './test-store.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

const defaultEnv = () => ({ ...process.env, METALEDGER_ACTOR: 'cli-test' });

/** A stream that keeps what is written to it. */
function capture(): { write(text: string): boolean; text(): string } {
  const chunks: string[] = [];
  return {
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}

/** Runs the CLI in this process through `main(argv, io)`, with its own streams, environment and directory. */
export async function runCli(args: string[], options: CliRunOptions): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? defaultEnv(),
    cwd: options.cwd,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs the CLI binary's entry (src/cli/bin.ts) in a subprocess, as a user would. */
export function runCliProcess(args: string[], options: CliRunOptions & { timeoutMs?: number }): Promise<ScriptRun> {
  return runScript('src/cli/bin.ts', args, { ...options, env: options.env ?? defaultEnv() });
}

/**
 * Where a test file's CLI runs keep their data: a PGlite directory, or a schema on PostgreSQL. The
 * test reads and seeds the same database in-process, but on PGlite only between CLI runs: the data
 * directory admits one process at a time.
 */
export interface CliTarget {
  workDir: string;
  /** The global options that point a CLI run at this target (for runs the test spawns itself). */
  targetArgs: string[];
  cli(args: string[], stdin?: string): Promise<CliRun>;
  /** Runs raw SQL there (assertions on the log, tampering). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Opens a store there for `work`, then closes it. */
  withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function createCliTarget(tag: string): Promise<CliTarget> {
  const workDir = await mkdtemp(join(tmpdir(), `metaledger-${tag}-`));
  const schema = uniqueSchema(tag);
  const dataDir = join(workDir, 'db');
  const targetArgs = backend === 'pglite' ? ['--data-dir', dataDir] : ['--db', databaseUrl(), '--schema', schema];

  async function withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T> {
    const store = await createMetadataStore(backend === 'pglite' ? { dataDir } : { connectionString: databaseUrl(), schema });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  async function onPostgres<T>(work: (client: pg.Client) => Promise<T>, searchPath?: string): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl(), options: searchPath && `-c search_path=${searchPath}` });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  return {
    workDir,
    targetArgs,
    cli: (args, stdin) => runCli([...targetArgs, ...args], { cwd: workDir, stdin }),
    async query<T>(text: string, params: unknown[] = []) {
      if (backend === 'pglite') return withStore(async (store) => (await store.db.executeQuery<T>(CompiledQuery.raw(text, params))).rows);
      return onPostgres(async (client) => (await client.query(text, params)).rows as T[], schema);
    },
    withStore,
    async dispose() {
      if (backend === 'postgres') await onPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
