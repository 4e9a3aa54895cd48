import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockFileName, type LockHolder } from '../../src/datasource/pglite-lock.js';
import { runCliProcess } from '../helpers/cli.js';
import { scriptCommand } from '../helpers/script-command.js';
import { backend } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

// PGlite is one process's database: two real processes on one data directory, the way the issue lost
// data (`metaledger serve` running, `metaledger save` beside it), and the lock a killed process leaves.

let workDir: string;
const children: ChildProcess[] = [];

/** A real process of `script` (a path from the repository root); it is killed after the test if still running. */
function start(script: string, args: string[], cwd = workDir): ChildProcess {
  const { command, args: commandArgs } = scriptCommand(script, args);
  const child = spawn(command, commandArgs, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

async function holderOf(dir: string): Promise<LockHolder | undefined> {
  const path = join(dir, lockFileName);
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as LockHolder) : undefined;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metaledger-lock-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => rm(workDir, { recursive: true, force: true }));

describe.runIf(backend === 'pglite')('the embedded data directory admits one process', () => {
  const cli = (...args: string[]) => runCliProcess(args, { cwd: workDir });

  it('refuses a save beside a running `metaledger serve`, naming the server’s process; nothing is written', async () => {
    const dataDir = join(workDir, 'served');
    const server = start('src/cli/bin.ts', ['serve', '--data-dir', dataDir, '--port', '0']);
    let served = '';
    server.stdout!.on('data', (chunk) => (served += chunk));
    await waitFor(async () => (await holderOf(dataDir))?.pid === server.pid, 'the server to lock its data directory', 60_000);
    await waitFor(() => served.includes('serving'), 'the server to listen', 60_000);

    await writeFile(join(workDir, 'item.json'), JSON.stringify({ label: 'Lost?' }));
    const beside = await cli('save', 'object', 'beside', '--file', 'item.json', '--data-dir', dataDir);
    expect(beside.code).toBe(7);
    expect(beside.stdout).toBe('');
    expect(beside.stderr).toContain(`error [DATASOURCE_UNAVAILABLE]: the embedded database ${dataDir} is already open in another process`);
    expect(beside.stderr).toContain(`pid ${server.pid} on this host, metaledger serve`);
    expect(beside.stderr).toMatch(/use PostgreSQL \(--db \/ DATABASE_URL\)/);

    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
    expect(await holderOf(dataDir)).toBeUndefined(); // released on the way out
    // the refused save left nothing behind: the item is not there, and the directory opens again
    expect(await cli('get', 'object', 'beside', '--data-dir', dataDir)).toMatchObject({ code: 4 });
    expect(await cli('save', 'object', 'beside', '--file', 'item.json', '--data-dir', dataDir)).toMatchObject({
      code: 0,
      stdout: 'saved object/beside v1 (created)\n',
    });
  });

  it('recovers the lock of a process killed with SIGKILL', async () => {
    const dataDir = join(workDir, 'killed');
    const server = start('src/cli/bin.ts', ['serve', '--data-dir', dataDir, '--port', '0']);
    await waitFor(async () => (await holderOf(dataDir))?.pid === server.pid, 'the server to lock its data directory', 60_000);
    server.kill('SIGKILL');
    await exited(server);
    expect((await holderOf(dataDir))?.pid).toBe(server.pid); // left behind: nobody released it

    await writeFile(join(workDir, 'after.json'), JSON.stringify({ label: 'After' }));
    const saved = await cli('save', 'object', 'after', '--file', 'after.json', '--data-dir', dataDir);
    expect(saved).toMatchObject({ code: 0, stdout: 'saved object/after v1 (created)\n', stderr: '' });
    expect(await holderOf(dataDir)).toBeUndefined();
  });

  it('lets exactly one of several processes recover a stale lock at once; the others name the winner', async () => {
    const dir = join(workDir, 'race');
    await mkdir(dir, { recursive: true });
    // a lock left by a process that no longer runs
    const dead = spawn(process.execPath, ['-e', '']);
    await exited(dead);
    const stale: LockHolder = {
      pid: dead.pid!,
      hostname: hostname(),
      processStart: null,
      command: 'metaledger serve',
      acquiredAt: new Date().toISOString(),
      token: 'stale',
    };
    await writeFile(join(dir, lockFileName), JSON.stringify(stale));

    const contenders = Array.from({ length: 6 }, () => start('test/helpers/lock-contender.ts', [dir]));
    const outcomes = await Promise.all(
      contenders.map(
        (child) =>
          new Promise<{ outcome: string; pid: number; holder?: number }>((resolve, reject) => {
            let out = '';
            child.stdout!.on('data', (chunk) => {
              out += chunk;
              if (out.includes('\n')) resolve(JSON.parse(out));
            });
            child.once('exit', (code) => reject(new Error(`contender exited ${code} without an outcome`)));
          }),
      ),
    );
    const winners = outcomes.filter((o) => o.outcome === 'locked');
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'refused').map((o) => o.holder)).toEqual(Array(5).fill(winners[0].pid));
    expect((await holderOf(dir))?.pid).toBe(winners[0].pid);
    for (const child of contenders) child.stdin!.end();
    await Promise.all(contenders.map(exited));
    expect(await holderOf(dir)).toBeUndefined();
  });
});
