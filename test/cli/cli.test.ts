import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliTarget, runCli, type CliRun, type CliTarget } from '../helpers/cli.js';

interface LoggedEvent {
  name: string;
  version: number;
  kind: string;
  actor: string;
  reason: string | null;
  source: string;
}

const logQuery = `SELECT e.name, e.version, e.kind, c.actor, c.reason, c.source
  FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id ORDER BY e.position`;

/** Where this file's CLI runs keep their data: a PGlite directory, or a schema on PostgreSQL. */
let target: CliTarget;

function cli(args: string[], stdin?: string): Promise<CliRun> {
  return target.cli(args, stdin);
}

const normalize = (rows: LoggedEvent[]) => rows.map((row) => ({ ...row, version: Number(row.version) }));

/** The whole event log with who/why, read directly from the database the CLI wrote to. */
async function readLog(): Promise<LoggedEvent[]> {
  return normalize(await target.query<LoggedEvent>(logQuery));
}

async function writeJson(fileName: string, text: string): Promise<string> {
  const path = join(target.workDir, fileName);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  target = await createCliTarget('cli');
});

afterAll(() => target.dispose());

describe('metaledger CLI', () => {
  it('saves a whole record from a file and prints it back, human and --json', async () => {
    const file = await writeJson('account.json', JSON.stringify({ namespace: 'crm', metadata: { label: 'Account' } }));
    const saved = await cli(['save', 'object', 'account', '--file', file, '--reason', 'first cut']);
    expect(saved).toEqual({ code: 0, stdout: 'saved object/account v1 (created)\n', stderr: '' });

    const human = await cli(['get', 'object', 'account']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^object\/account v1\n/);
    expect(human.stdout).toMatch(/^namespace\s+crm$/m);
    expect(human.stdout).toMatch(/^created\s+\S+ by cli-test$/m);
    expect(human.stdout).toContain('"label": "Account"');

    const json = await cli(['get', 'object', 'account', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: 'object',
      name: 'account',
      namespace: 'crm',
      metadata: { label: 'Account' },
      version: 1,
      createdBy: 'cli-test',
    });

    expect(await readLog()).toEqual([
      { name: 'account', version: 1, kind: 'created', actor: 'cli-test', reason: 'first cut', source: 'cli' },
    ]);
  });

  it('lists records as an aligned table, filtered by state', async () => {
    // no `metadata` key: the file is the payload itself; the envelope comes from the options
    const file = await writeJson('contact.json', JSON.stringify({ label: 'Contact' }));
    expect(
      (await cli(['save', 'object', 'contact', '--file', file, '--namespace', 'crm', '--state', 'draft', '--actor', 'alice'])).code,
    ).toBe(0);

    const listed = await cli(['list', 'object']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NAMESPACE\s+SCOPE\s+STATE\s+VERSION\s+UPDATED AT$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 5))).toEqual([
      ['account', 'crm', 'platform', 'active', '1'],
      ['contact', 'crm', 'platform', 'draft', '1'],
    ]);
    // aligned: every row starts its NAMESPACE column where the header does
    const column = lines[0].indexOf('NAMESPACE');
    expect(lines.slice(1).map((line) => line.slice(column, column + 3))).toEqual(['crm', 'crm']);

    const drafts = await cli(['list', 'object', '--state', 'draft', '--json']);
    expect(JSON.parse(drafts.stdout).map((record: { name: string }) => record.name)).toEqual(['contact']);
  });

  it('bumps the version on an update read from stdin, keeping envelope fields not given', async () => {
    const updated = await cli(['save', 'object', 'account', '--file', '-'], JSON.stringify({ label: 'Customer account' }));
    expect(updated).toEqual({ code: 0, stdout: 'saved object/account v2\n', stderr: '' });
    const record = JSON.parse((await cli(['get', 'object', 'account', '--json'])).stdout);
    expect(record).toMatchObject({ version: 2, namespace: 'crm', metadata: { label: 'Customer account' } });
  });

  it('refuses a save at a stale --expected-version with CONFLICT and leaves the log unchanged', async () => {
    const before = await readLog();
    const file = await writeJson('stale.json', JSON.stringify({ label: 'Stale' }));
    const stale = await cli(['save', 'object', 'account', '--file', file, '--expected-version', '1']);
    expect(stale.code).toBe(5);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toBe('error [CONFLICT]: object/account: expected version 1 but it is at version 2\n');
    expect(await readLog()).toEqual(before);
  });

  it('reports malformed JSON as VALIDATION naming the file, and writes nothing', async () => {
    const before = await readLog();
    const file = await writeJson('broken.json', '{ "label": "Broken" ');
    const broken = await cli(['save', 'object', 'broken', '--file', file]);
    expect(broken.code).toBe(3);
    const [headline, issue] = broken.stderr.split('\n');
    expect(headline).toBe('error [VALIDATION]: malformed JSON');
    expect(issue).toMatch(new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*JSON`));
    expect(await readLog()).toEqual(before);
  });

  it('prints each validation issue on its own line with its path', async () => {
    const file = await writeJson('invalid.json', JSON.stringify({ scope: 'galaxy', metadata: [1, 2] }));
    const invalid = await cli(['save', 'object', 'invalid', '--file', file]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr.trimEnd().split('\n')).toEqual([
      'error [VALIDATION]: invalid record',
      expect.stringMatching(/^ {2}scope: .*'galaxy'/),
      '  metadata: metadata must be a JSON object (not an array, null or a primitive)',
    ]);
  });

  it('deletes a record, after which get fails with NOT_FOUND', async () => {
    expect(await cli(['delete', 'object', 'contact'])).toEqual({ code: 0, stdout: 'deleted object/contact v2\n', stderr: '' });
    const gone = await cli(['get', 'object', 'contact']);
    expect(gone).toEqual({ code: 4, stdout: '', stderr: 'error [NOT_FOUND]: object/contact does not exist\n' });
    expect((await readLog()).at(-1)).toMatchObject({ name: 'contact', version: 2, kind: 'deleted', source: 'cli' });
  });

  it('exits 2 with the usage text on an unknown command or a missing argument', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'\n\nusage: metaledger <command>/);
    expect(unknown.stderr).toMatch(/^ {2}save\s+/m);

    const missing = await cli(['get', 'object']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: missing argument <name>\n\nusage: metaledger get <type> <name>\n');
  });
});

describe('metaledger CLI with no database configured', () => {
  it('uses the embedded database in ./.metaledger of the working directory', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'metaledger-cli-default-'));
    try {
      const { DATABASE_URL: _url, METALEDGER_DATA_DIR: _dir, ...env } = process.env;
      await writeFile(join(cwd, 'flow.json'), JSON.stringify({ steps: [] }));
      const saved = await runCli(['save', 'flow', 'onboarding', '--file', 'flow.json'], { cwd, env });
      expect(saved).toEqual({ code: 0, stdout: 'saved flow/onboarding v1 (created)\n', stderr: '' });
      expect(existsSync(join(cwd, '.metaledger'))).toBe(true);
      const loaded = await runCli(['get', 'flow', 'onboarding', '--json'], { cwd, env });
      expect(JSON.parse(loaded.stdout)).toMatchObject({ name: 'onboarding', metadata: { steps: [] }, version: 1 });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
