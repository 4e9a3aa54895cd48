import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../helpers/run-script.js';
import { backend } from '../helpers/test-store.js';

// After close() nothing of an embedded store may keep the process alive: PostgreSQL's idle statistics
// timer, left armed by PGlite, re-armed itself every 10 s and kept a process that had closed its store
// alive for 10 s, or for ever. The script ends by itself, without process.exit.

/** A prompt exit takes well under a second; the stall was 10 s or for ever. */
const promptExitMs = 5_000;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'metaledger-close-'));
});

afterAll(() => rm(workDir, { recursive: true, force: true }));

describe.runIf(backend === 'pglite')('a process that closed its embedded store', () => {
  const dataDir = () => join(workDir, 'db');

  it('exits promptly after creating the database', async () => {
    const run = await runScript('test/helpers/open-close-store.ts', [dataDir()]);
    expect(run).toMatchObject({ code: 0, stdout: 'closed\n' });
    expect(run.exitDelayMs).toBeLessThan(promptExitMs);
  });

  it('exits promptly after opening an existing database and closing it unused', async () => {
    const run = await runScript('test/helpers/open-close-store.ts', [dataDir()]);
    expect(run).toMatchObject({ code: 0, stdout: 'closed\n' });
    expect(run.exitDelayMs).toBeLessThan(promptExitMs);
  });

  it('exits promptly after a query', async () => {
    const run = await runScript('test/helpers/open-close-store.ts', [dataDir(), 'load']);
    expect(run).toMatchObject({ code: 0, stdout: 'closed\n' });
    expect(run.exitDelayMs).toBeLessThan(promptExitMs);
  });
});
