import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';

let target: CliTarget;

beforeAll(async () => {
  target = await createCliTarget('cli_types');
});
afterAll(() => target.dispose());

async function file(name: string, value: unknown): Promise<string> {
  const path = join(target.workDir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

const objectSchema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
const viewSchema = { type: 'object', properties: { object: { type: 'string' } }, required: ['object'] };

describe('metaledger type and references', () => {
  it('defines, lists and shows types; saves are checked against them (exit 3, every issue)', async () => {
    const defined = await target.cli(['type', 'define', 'object', '--file', await file('object.json', objectSchema), '--reason', 'typed']);
    expect(defined).toEqual({ code: 0, stdout: 'defined type object (_type/object v1)\n', stderr: '' });
    const view = await file('view.json', viewSchema);
    expect((await target.cli(['type', 'define', 'view', '--file', view, '--reference', 'object=object'])).code).toBe(0);
    expect((await target.cli(['type', 'define', 'view', '--file', view, '--reference', 'object=object'])).stdout).toBe(
      'unchanged type view (_type/view v1)\n',
    );

    const listed = await target.cli(['type', 'list', '--json']);
    expect(JSON.parse(listed.stdout).map((info: { type: string; version: number }) => [info.type, info.version])).toEqual([
      ['object', 1],
      ['view', 1],
    ]);
    const shown = await target.cli(['type', 'show', 'view']);
    expect(shown.stdout).toContain('reference  object → object');

    const invalid = await target.cli(['save', 'object', 'account', '--file', await file('bad.json', { label: 7 }), '--json']);
    expect(invalid.code).toBe(3);
    expect(JSON.parse(invalid.stderr)).toMatchObject({ error: { code: 'VALIDATION', issues: [{ path: 'metadata.label' }] } });
  });

  it('lists references, refuses a delete while referenced (exit 5) and deletes with --force', async () => {
    expect((await target.cli(['save', 'object', 'account', '--file', await file('account.json', { label: 'Account' })])).code).toBe(0);
    expect((await target.cli(['save', 'view', 'accounts', '--file', await file('accounts.json', { object: 'account' })])).code).toBe(0);
    expect((await target.cli(['references', 'object', 'account'])).stdout).toBe('view/accounts  (object)\n');
    const refused = await target.cli(['delete', 'object', 'account']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('view/accounts (object)');
    expect((await target.cli(['delete', 'object', 'account', '--force'])).code).toBe(0);
    expect((await target.cli(['references', 'object', 'nothing'])).stdout).toBe('nothing references object/nothing\n');
  });

  it('refuses a wrong command line before opening the store (exit 2)', async () => {
    expect((await target.cli(['type'])).code).toBe(2);
    expect((await target.cli(['type', 'drop', 'x'])).code).toBe(2);
    expect((await target.cli(['type', 'define', 'x'])).code).toBe(2);
    expect((await target.cli(['type', 'define', 'x', '--file', 'f', '--reference', 'nopair'])).code).toBe(2);
    expect((await target.cli(['type', 'define', 'x', '--file', 'f', '--schema-version', 'two'])).code).toBe(2);
  });
});
