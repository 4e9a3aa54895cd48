import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetaledgerError } from '../errors.js';

/** The file, inside the data directory, that says which process has the embedded database open. */
export const lockFileName = 'metaledger.lock';

/** Who holds a data directory: enough to tell a live holder from a dead one, and to tell a person which. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The process's start time as the OS counts it (Linux: clock ticks since boot); tells a reused pid apart. */
  processStart: string | null;
  /** e.g. `metaledger serve`, or a script's file name; never the arguments (they may hold secrets). */
  command: string;
  acquiredAt: string;
  /** Unique per acquisition, so a release never removes a lock another process took over. */
  token: string;
}

/**
 * The embedded database's data directory is open in another process (or already in this one). PGlite is
 * one PostgreSQL backend in one process: a second process writing the same files loses data.
 */
export class DataDirectoryLockedError extends MetaledgerError {
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super('DATASOURCE_UNAVAILABLE', describeLocked(dataDir, lockFile, holder));
  }
}

function describeLocked(dataDir: string, lockFile: string, holder: LockHolder): string {
  const where = holder.hostname === hostname() ? 'this host' : `host ${holder.hostname}`;
  const who =
    holder.pid === process.pid && holder.hostname === hostname()
      ? 'this process'
      : `another process (pid ${holder.pid} on ${where}, ${holder.command}, since ${holder.acquiredAt})`;
  return (
    `the embedded database ${dataDir} is already open in ${who}; the embedded PGlite database admits one process at a time. ` +
    `Stop that process, send your requests to it (for example the HTTP API of a running \`metaledger serve\`), or use ` +
    `PostgreSQL (--db / DATABASE_URL) for several processes. If no such process exists, delete ${lockFile}.`
  );
}

/** Linux: field 22 of /proc/<pid>/stat. Elsewhere null, and a live pid counts as the holder. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the recorded holder still runs. On another host nobody can tell, so it counts as alive. */
function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartOf(holder.pid);
  // the pid runs, but a different process than the one that took the lock: the pid was reused
  return !(start !== null && holder.processStart !== null && start !== holder.processStart);
}

/** A lock file's holder, or undefined when the file is not one of ours (then it counts as stale). */
function parseHolder(text: string): LockHolder | undefined {
  let holder: Partial<LockHolder>;
  try {
    holder = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return undefined;
  }
  if (typeof holder !== 'object' || holder === null || !Number.isInteger(holder.pid) || holder.pid! <= 0) return undefined;
  if (typeof holder.hostname !== 'string') return undefined;
  return { ...holder, processStart: typeof holder.processStart === 'string' ? holder.processStart : null } as LockHolder;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const held = new Map<string, string>(); // lock file → the token this process wrote
let releaseOnExit = false;

/** A process that exits without closing its store must not leave its lock behind for the next one. */
function registerExitRelease(): void {
  if (releaseOnExit) return;
  releaseOnExit = true;
  process.on('exit', () => {
    for (const [lockFile, token] of held) {
      try {
        if (parseHolder(readFileSync(lockFile, 'utf8'))?.token === token) unlinkSync(lockFile);
      } catch {
        // already gone
      }
    }
  });
}

/** Creates the lock file with its content in one step (link fails if it exists), so no reader sees it half-written. */
async function tryCreate(lockFile: string, holder: LockHolder): Promise<boolean> {
  const temporary = `${lockFile}.${holder.token}`;
  await writeFile(temporary, JSON.stringify(holder));
  try {
    await link(temporary, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** A recoverer that died while holding the recovery directory must not block recovery for ever. */
const abandonedRecoveryMs = 10_000;

/**
 * Removes a dead holder's lock, if it is still the same file that was read as stale. Processes recovering
 * the same stale lock at once take turns through a directory created atomically, so none can remove the
 * fresh lock another has just taken.
 */
async function removeStale(lockFile: string, staleText: string): Promise<void> {
  const recovery = `${lockFile}.recovering`;
  try {
    await mkdir(recovery);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const since = await stat(recovery).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (since > abandonedRecoveryMs) await rmdir(recovery).catch(() => {});
    else await sleep(20);
    return; // the caller looks again
  }
  try {
    if ((await readText(lockFile)) === staleText) await unlink(lockFile).catch(() => {});
  } finally {
    await rmdir(recovery).catch(() => {});
  }
}

/** The process title when one was set (the CLI sets `metaledger <command>`), else the script's file name; never arguments. */
function describeThisProcess(): string {
  if (process.title && basename(process.title) !== basename(process.execPath) && process.title !== 'node') return process.title;
  return basename(process.argv[1] ?? process.argv0);
}

/**
 * mkdir -p, one level at a time: Node's own recursive mkdir never returns for some paths (under /proc).
 * A path that exists and is not a directory is ENOTDIR.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && dirname(dir) !== dir) {
      await makeDirectory(dirname(dir));
      // once: a parent that exists yet refuses children (under /proc) must fail, not loop
      return mkdir(dir).then(
        () => {},
        (again: NodeJS.ErrnoException) => (again.code === 'EEXIST' ? undefined : Promise.reject(again)),
      );
    }
    if (code !== 'EEXIST') throw error;
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  }
}

/** A held data directory; `release` removes the lock if it is still this one's. */
export interface DataDirectoryLock {
  readonly lockFile: string;
  release(): Promise<void>;
}

/**
 * Takes the data directory for this process, or fails at once with DataDirectoryLockedError naming the
 * holder. A lock left by a process that no longer runs (killed, crashed) is recovered.
 */
export async function lockDataDirectory(dataDir: string): Promise<DataDirectoryLock> {
  try {
    return await takeLock(dataDir);
  } catch (error) {
    if (error instanceof MetaledgerError) throw error;
    // not a directory, no permission, a read-only file system…
    throw new MetaledgerError('DATASOURCE_UNAVAILABLE', `cannot use ${dataDir} for the embedded database: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function takeLock(dataDir: string): Promise<DataDirectoryLock> {
  await makeDirectory(dataDir);
  const lockFile = join(dataDir, lockFileName);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    processStart: processStartOf(process.pid),
    command: describeThisProcess(),
    acquiredAt: new Date().toISOString(),
    token: randomUUID(),
  };
  // bounded: each turn either takes the lock, finds a live holder, or removes a dead one's lock
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await tryCreate(lockFile, holder)) {
      held.set(lockFile, holder.token);
      registerExitRelease();
      return {
        lockFile,
        async release() {
          held.delete(lockFile);
          const current = await readText(lockFile).catch(() => undefined);
          if (current !== undefined && parseHolder(current)?.token === holder.token) await unlink(lockFile).catch(() => {});
        },
      };
    }
    const text = await readText(lockFile);
    if (text === undefined) continue; // released meanwhile
    const current = parseHolder(text);
    if (current && isAlive(current)) throw new DataDirectoryLockedError(dataDir, lockFile, current);
    await removeStale(lockFile, text);
  }
  throw new MetaledgerError('DATASOURCE_UNAVAILABLE', `could not take ${lockFile}: other processes keep taking and releasing it`);
}
