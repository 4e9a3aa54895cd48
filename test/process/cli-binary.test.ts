import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliTarget, runCliProcess, type CliTarget } from '../helpers/cli.js';
import { backend } from '../helpers/test-store.js';

// The binary itself, in real processes: the rest of the CLI is tested in-process (test/cli/).

/** A stall after the work was 10 s (a PGlite timer) or for ever; a prompt exit takes well under a second. */
const promptExitMs = 5_000;

const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let target: CliTarget;

beforeAll(async () => {
  target = await createCliTarget('cli_binary');
});

afterAll(() => target?.dispose());

describe('the metaledger binary', () => {
  it('bin/metaledger.js prints the version and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../../bin/metaledger.js', import.meta.url).pathname,
      '--version',
    ]);
    expect(stdout).toBe(`metaledger ${packageJson.version}\n`);
  });

  it('saves from stdin and gets the record back, exiting 0 promptly each time', async () => {
    const saved = await runCliProcess([...target.targetArgs, 'save', 'object', 'smoke', '--file', '-'], {
      cwd: target.workDir,
      stdin: JSON.stringify({ label: 'Smoke' }),
    });
    expect(saved).toMatchObject({ code: 0, stdout: 'saved object/smoke v1 (created)\n', stderr: '' });
    expect(saved.exitDelayMs).toBeLessThan(promptExitMs);

    const loaded = await runCliProcess([...target.targetArgs, 'get', 'object', 'smoke', '--json'], { cwd: target.workDir });
    expect(loaded.code).toBe(0);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ name: 'smoke', metadata: { label: 'Smoke' }, version: 1, createdBy: 'cli-test' });
    expect(loaded.exitDelayMs).toBeLessThan(promptExitMs);
  });

  it('exits with the error code’s own status: NOT_FOUND is 4, as JSON on stderr with --json', async () => {
    const missing = await runCliProcess([...target.targetArgs, 'get', 'object', 'nowhere', '--json'], { cwd: target.workDir });
    expect(missing.code).toBe(4);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toEqual({ error: { code: 'NOT_FOUND', message: 'object/nowhere does not exist', exitCode: 4 } });
    expect(missing.exitDelayMs).toBeLessThan(promptExitMs);
  });
});

// Each command the issue found hanging or stalling on the embedded default, in an empty directory with no
// database configured, as a user ran it.
describe.runIf(backend === 'pglite')('the binary on the embedded default exits promptly on every path', () => {
  let cwd: string;
  const { DATABASE_URL: _url, METALEDGER_DATA_DIR: _dir, METALEDGER_SCHEMA: _schema, ...env } = process.env;
  const run = (...args: string[]) => runCliProcess(args, { cwd, env });

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'metaledger-exit-'));
    await writeFile(join(cwd, 'bad'), '{ "not": "a metadata file"');
    // the first command creates the database; the cases below find it there, as in the report
    expect((await run('list', 'object')).code).toBe(0);
  });

  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it.each([
    { command: 'import --source ./bad', code: 3, stderr: /^error \[VALIDATION\]: invalid import source/ },
    { command: 'import --source ./nonexistent', code: 3, stderr: /nonexistent does not exist/ },
    { command: 'list object --limit abc', code: 2, stderr: /^error: --limit must be an integer >= 1, got 'abc'/ },
    { command: 'restore --at notadate', code: 2, stderr: /^error: --at must be an ISO 8601 date-time, got 'notadate'/ },
    { command: 'changes --after garbage', code: 3, stderr: /^error \[VALIDATION\]: invalid cursor/ },
    { command: 'get object missing', code: 4, stderr: /^error \[NOT_FOUND\]/ },
    { command: 'list object', code: 0, stderr: /^$/ },
  ])('metaledger $command exits $code', async ({ command, code, stderr }) => {
    const outcome = await run(...command.split(' '));
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code, stderr: expect.stringMatching(stderr) });
    expect(outcome.exitDelayMs).toBeLessThan(promptExitMs);
  });
});
