import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEntries, loadAllCommands } from '../../src/cli/commands/index.js';
import { exitCodeByErrorCode, exitCodes } from '../../src/cli/exit-codes.js';
import { reportError } from '../../src/cli/report-error.js';
import { MetaledgerError, type ErrorCode } from '../../src/errors.js';
import { createCliTarget, runCli, type CliTarget } from '../helpers/cli.js';
import { backend, databaseUrl } from '../helpers/test-store.js';

const commands = await loadAllCommands();

// What an operator needs from the CLI itself: the version, help for every command, errors a script can
// read (--json, one exit code per error code), and which database a command uses (--verbose, status).

const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let target: CliTarget;
const cli = (...args: string[]) => target.cli(args);

beforeAll(async () => {
  target = await createCliTarget('cli_ops');
  await target.withStore(async (store) => {
    await store.save('object', { name: 'account', metadata: { label: 'Account' } });
    await store.save('object', { name: 'account', metadata: { label: 'Customer' } });
    await store.save('object', { name: 'gone', metadata: {} });
    await store.delete('object', 'gone');
  });
});

afterAll(() => target?.dispose());

describe('metaledger --version and --help', () => {
  it('prints the package version, as text or JSON', async () => {
    expect(await runCli(['--version'], { cwd: target.workDir })).toEqual({
      code: 0,
      stdout: `metaledger ${packageJson.version}\n`,
      stderr: '',
    });
    const json = await runCli(['--version', '--json'], { cwd: target.workDir });
    expect(JSON.parse(json.stdout)).toEqual({ version: packageJson.version });
  });

  it('finds each command under the name it answers to (commands load only when used)', () => {
    expect(commands.map((command) => command.name)).toEqual(commandEntries.map((entry) => entry.name));
  });

  it('lists every command, the global options and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help'], { cwd: target.workDir });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    for (const command of commands) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}${command.name} +`)));
    for (const command of commands) expect(lines.some((line) => line.endsWith(`  ${command.summary}`))).toBe(true);
    expect(stdout).toContain('--verbose');
    expect(stdout).toContain('exit codes: 0 ok, 1 unexpected error (INTERNAL), 2 usage, 3 VALIDATION, 4 NOT_FOUND, 5 CONFLICT');
  });

  it.each(commands.map((command) => command.name))(
    'explains `%s` with --help, -h and `help <command>`, opening no database',
    async (name) => {
      const command = commands.find((candidate) => candidate.name === name)!;
      // an empty directory and no database configured: help must not create ./.metaledger
      const cwd = await mkdtemp(join(tmpdir(), 'metaledger-help-'));
      const { DATABASE_URL: _url, METALEDGER_DATA_DIR: _dir, ...env } = process.env;
      const viaFlag = await runCli([name, '--help'], { cwd, env });
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.stdout.startsWith(`usage: metaledger ${name}`)).toBe(true);
      expect(viaFlag.stdout).toContain(command.summary);
      if (command.details) expect(viaFlag.stdout).toContain(command.details);
      expect(viaFlag.stdout).toContain('global options:');
      expect(await runCli([name, '-h'], { cwd, env })).toEqual(viaFlag);
      expect(await runCli(['help', name], { cwd, env })).toEqual(viaFlag);
      expect(await readdir(cwd)).toEqual([]);
      await rm(cwd, { recursive: true });
    },
  );
});

describe('metaledger errors', () => {
  it('gives each error code its own documented exit status, none shared with ok or usage; INTERNAL is the unexpected one', () => {
    const { INTERNAL, ...expected } = exitCodeByErrorCode;
    expect(INTERNAL).toBe(exitCodes.unexpected);
    const statuses = Object.values(expected);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses.filter((status) => status <= 2)).toEqual([]);
  });

  it.each(Object.entries(exitCodeByErrorCode))(
    '%s exits %i, with --json as { error: { code, message, exitCode } } on stderr',
    (code, status) => {
      const lines: string[] = [];
      const human = reportError(new MetaledgerError(code as ErrorCode, 'what happened'), {
        usage: '',
        json: false,
        write: (t) => lines.push(t),
      });
      const json = reportError(new MetaledgerError(code as ErrorCode, 'what happened'), {
        usage: '',
        json: true,
        write: (t) => lines.push(t),
      });
      expect([human, json]).toEqual([status, status]);
      expect(lines[0]).toBe(`error [${code}]: what happened\n`);
      expect(JSON.parse(lines[1])).toEqual({ error: { code, message: 'what happened', exitCode: status } });
    },
  );

  it('NOT_FOUND and CONFLICT exit differently from a real run', async () => {
    expect(await cli('get', 'object', 'nowhere')).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error [NOT_FOUND]: object/nowhere does not exist\n',
    });
    const file = join(target.workDir, 'stale.json');
    await writeFile(file, JSON.stringify({ label: 'Stale' }));
    const stale = await cli('save', 'object', 'account', '--file', file, '--expected-version', '1');
    expect(stale).toEqual({ code: 5, stdout: '', stderr: 'error [CONFLICT]: object/account: expected version 1 but it is at version 2\n' });
  });

  it('prints a validation failure under --json with every issue and its path', async () => {
    const file = join(target.workDir, 'invalid.json');
    await writeFile(file, JSON.stringify({ scope: 'galaxy', metadata: [1, 2] }));
    const { code, stdout, stderr } = await cli('save', 'object', 'invalid', '--file', file, '--json');
    expect({ code, stdout }).toEqual({ code: 3, stdout: '' });
    expect(JSON.parse(stderr)).toEqual({
      error: {
        code: 'VALIDATION',
        message: 'invalid record',
        issues: [
          { path: 'scope', message: expect.stringContaining("'galaxy'") },
          { path: 'metadata', message: 'metadata must be a JSON object (not an array, null or a primitive)' },
        ],
        exitCode: 3,
      },
    });
  });

  it('prints a usage error under --json too, even when the command line does not parse', async () => {
    const unknownOption = await cli('list', 'object', '--colour', 'red', '--json');
    expect(unknownOption.code).toBe(2);
    expect(JSON.parse(unknownOption.stderr)).toEqual({
      error: {
        code: 'USAGE',
        message: expect.stringContaining("Unknown option '--colour'"),
        usage: 'usage: metaledger list <type> [--namespace ns] [--scope s] [--state st] [--limit n]',
        exitCode: 2,
      },
    });
    const unknownCommand = await runCli(['frobnicate', '--json'], { cwd: target.workDir });
    expect(unknownCommand.code).toBe(2);
    expect(JSON.parse(unknownCommand.stderr).error).toMatchObject({ code: 'USAGE', message: "unknown command 'frobnicate'" });
  });
});

describe('which database a command uses', () => {
  it('--verbose names the backend and where each setting came from on stderr, never a password', async () => {
    const { code, stdout, stderr } = await cli('get', 'object', 'account', '--verbose');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^object\/account v2\n/);
    const [using, opened] = stderr.trimEnd().split('\n');
    if (backend === 'pglite') {
      expect(using).toBe(
        `metaledger: using embedded PGlite ${join(target.workDir, 'db')}, schema public (connection from the command line, schema from the default)`,
      );
    } else {
      const url = new URL(databaseUrl());
      expect(using).toBe(
        `metaledger: using PostgreSQL ${url.username}@${url.hostname}:${url.port || 5432}${url.pathname}, schema ${target.targetArgs[3]} (connection from the command line, schema from the command line)`,
      );
    }
    expect(opened).toMatch(/^metaledger: opened in \d+ ms$/);
  });

  it.runIf(backend === 'postgres')('never prints the password of a connection string', async () => {
    const url = new URL(databaseUrl());
    url.password = 's3cret-pw';
    const { stderr } = await runCli(['status', '--db', url.href, '--schema', target.targetArgs[3], '--verbose'], { cwd: target.workDir });
    expect(stderr).toContain('metaledger: using PostgreSQL');
    expect(stderr).not.toContain('s3cret-pw');
  });

  it('status reports the backend, migrations, items, events and projections', async () => {
    const { code, stdout, stderr } = await cli('status', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const status = JSON.parse(stdout);
    const migrations = (await readdir(new URL('../../sql/', import.meta.url))).filter((file) => /^\d{4}_\w+\.sql$/.test(file)).length;
    expect(status).toMatchObject({
      version: packageJson.version,
      backend: { kind: backend, schema: backend === 'pglite' ? 'public' : target.targetArgs[3] },
      sources: { connection: 'option', schema: backend === 'pglite' ? 'default' : 'option' },
      configFile: null,
      migrations: { applied: migrations, pending: [] },
      items: { live: 1, deleted: 1 },
      events: { count: 4, lastPosition: expect.any(Number) },
    });
    if (backend === 'pglite') expect(status.backend.dataDir).toBe(join(target.workDir, 'db'));
    else expect(status.backend).toMatchObject({ host: new URL(databaseUrl()).hostname, database: 'test' });
    expect(status.projections.map((projection: { name: string }) => projection.name)).toContain('framework-metadata');

    const human = await cli('status');
    expect(human.stdout).toMatch(new RegExp(`^migrations\\s+${migrations} applied \\(latest \\d{4}_\\w+\\.sql\\), 0 pending$`, 'm'));
    expect(human.stdout).toMatch(/^items\s+1 \(\+1 deleted\)$/m);
    expect(human.stdout).toMatch(/^PROJECTION\s+MODE\s+LAG EVENTS\s+LAG SECONDS\s+LAST ERROR$/m);
  });
});
