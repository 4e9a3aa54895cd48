import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/datasource/pglite.js';
import { DataDirectoryLockedError, lockDataDirectory, lockFileName, type LockHolder } from '../../src/datasource/pglite-lock.js';

// Who holds a data directory, decided from the lock file alone. The two-process cases (a running server,
// a killed one, a race to recover) are in test/process/pglite-lock.test.ts.

let dir: string;
const lockFile = () => join(dir, lockFileName);
const ownStart = () => {
  const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

async function leaveLock(holder: Partial<LockHolder>): Promise<void> {
  const complete: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    processStart: null,
    command: 'metaledger serve',
    acquiredAt: '2024-05-01T12:00:00.000Z',
    token: 'left-behind',
    ...holder,
  };
  await writeFile(lockFile(), JSON.stringify(complete));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metaledger-lock-unit-'));
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('lockDataDirectory', () => {
  it('creates the directory and a lock naming this process; release removes it', async () => {
    const dataDir = join(dir, 'nested', 'db');
    const lock = await lockDataDirectory(dataDir);
    const holder = JSON.parse(await readFile(join(dataDir, lockFileName), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, hostname: hostname() });
    await lock.release();
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  });

  it('refuses a second lock in the same process, saying so', async () => {
    const lock = await lockDataDirectory(dir);
    const second = await lockDataDirectory(dir).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DataDirectoryLockedError);
    expect(second).toMatchObject({ code: 'DATASOURCE_UNAVAILABLE', dataDir: dir, lockFile: lockFile(), holder: { pid: process.pid } });
    expect((second as Error).message).toContain(`the embedded database ${dir} is already open in this process`);
    await lock.release();
    await (await lockDataDirectory(dir)).release();
  });

  it.runIf(existsSync('/proc/self/stat'))('recovers a lock whose pid now runs another process (the pid was reused)', async () => {
    await leaveLock({ processStart: String(Number(ownStart()) - 1) });
    const lock = await lockDataDirectory(dir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).not.toBe('left-behind');
    await lock.release();
  });

  it.runIf(existsSync('/proc/self/stat'))('refuses when the pid and its start time match a running process', async () => {
    await leaveLock({ processStart: ownStart() });
    await expect(lockDataDirectory(dir)).rejects.toBeInstanceOf(DataDirectoryLockedError);
  });

  it('refuses a lock taken on another host, which it cannot check, and says how to clear it', async () => {
    await leaveLock({ hostname: 'build-agent-7', pid: 12345 });
    const refused = (await lockDataDirectory(dir).catch((error: unknown) => error)) as DataDirectoryLockedError;
    expect(refused).toBeInstanceOf(DataDirectoryLockedError);
    expect(refused.message).toContain(
      'another process (pid 12345 on host build-agent-7, metaledger serve, since 2024-05-01T12:00:00.000Z)',
    );
    expect(refused.message).toContain(`If no such process exists, delete ${lockFile()}`);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toBe('left-behind'); // untouched
  });

  it('recovers a lock file that is not a lock (empty or garbage)', async () => {
    for (const content of ['', '{"pid":', 'null', '[1,2]']) {
      await writeFile(lockFile(), content);
      await (await lockDataDirectory(dir)).release();
    }
  });

  it('release leaves alone a lock another process has taken over meanwhile', async () => {
    const lock = await lockDataDirectory(dir);
    await leaveLock({ token: 'someone-else', pid: 1 });
    await lock.release();
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toBe('someone-else');
  });
});

describe('lockDataDirectory on any lock file content', () => {
  it('takes the directory or names a holder; never fails otherwise', async () => {
    const { default: fc } = await import('fast-check');
    const anyHolder = fc.record(
      {
        pid: fc.oneof(fc.integer({ min: -5, max: 5_000_000 }), fc.constant(process.pid), fc.jsonValue()),
        hostname: fc.oneof(fc.constant(hostname()), fc.string(), fc.jsonValue()),
        processStart: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue()),
        command: fc.string(),
        acquiredAt: fc.string(),
        token: fc.string(),
      },
      { requiredKeys: [] },
    );
    const anyContent = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      anyHolder.map((h) => JSON.stringify(h)),
    );
    await fc.assert(
      fc.asyncProperty(anyContent, async (content) => {
        await writeFile(lockFile(), content);
        const outcome = await lockDataDirectory(dir).catch((error: unknown) => error);
        if (outcome instanceof DataDirectoryLockedError) {
          expect(outcome.message).toContain(`delete ${lockFile()}`);
        } else {
          await (outcome as { release(): Promise<void> }).release();
          expect(existsSync(lockFile())).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('a data directory that cannot be one', () => {
  it('is DATASOURCE_UNAVAILABLE naming the path: a file, or a place no directory can be made', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(lockDataDirectory(file)).rejects.toMatchObject({
      code: 'DATASOURCE_UNAVAILABLE',
      message: `cannot use ${file} for the embedded database: ${file} is not a directory`,
    });
    await expect(lockDataDirectory(join(file, 'below'))).rejects.toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
    // Node's recursive mkdir never returns here; the lock's own must fail
    if (existsSync('/proc/self'))
      await expect(lockDataDirectory('/proc/nope/deeper')).rejects.toMatchObject({ code: 'DATASOURCE_UNAVAILABLE' });
  });

  it('refuses to create a database among other files, writing nothing there', async () => {
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const refused = await openPglite(dir, 'public').catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'VALIDATION',
      context: 'the embedded database needs an empty or new directory',
      issues: [{ path: dir, message: 'holds other files (notes.txt) and no database' }],
    });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});
