import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, readExportSnapshot } from '../../src/service/export/export-metadata.js';
import { operatorPrincipal } from '../../src/index.js';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';

// tag, tags, diff-store and promote, run in-process through main(argv, io). The source of a promotion
// is an export file of the first target, promoted into the second.

let target: CliTarget;
let other: CliTarget;
const cli = (...args: string[]) => target.cli(args);

beforeAll(async () => {
  target = await createCliTarget('cli_releases');
  other = await createCliTarget('cli_releases_to');
  await target.withStore(async (store) => {
    await store.save('object', { name: 'account', metadata: { label: 'Account' } });
    await store.save('object', { name: 'contact', metadata: { label: 'Contact' } });
  });
}, 120_000);
afterAll(async () => {
  await target.dispose();
  await other.dispose();
});

describe('release commands', () => {
  it('tags the head, lists tags, refuses a second tag of a name', async () => {
    const tagged = await cli('tag', 'v1', '-m', 'first release');
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toMatch(/^tagged position \d+ as v1/);
    const again = await cli('tag', 'v1');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/tag "v1" already exists/);
    const bad = await cli('tag', 'has space');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid tag name/);
    const list = await cli('tags', '--json');
    expect(JSON.parse(list.stdout).map((tag: { name: string; message: string }) => [tag.name, tag.message])).toEqual([
      ['v1', 'first release'],
    ]);
  });

  it('diff-store shows what a release changed between two tags', async () => {
    await target.withStore(async (store) => {
      await store.save('object', { name: 'account', metadata: { label: 'Customer' } });
      await store.delete('object', 'contact');
    });
    // a second name for v1's position
    expect((await cli('tag', 'v1-again', '--at', 'tag:v1')).stdout).toMatch(/^tagged position \d+ as v1-again/);
    expect((await cli('tag', 'v2')).code).toBe(0);
    const diff = await cli('diff-store', 'v1-again', 'tag:v2');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/modified\s+object\/account/);
    expect(diff.stdout).toMatch(/deleted\s+object\/contact/);
    expect(diff.stdout).toMatch(/created 0, modified 1, deleted 1/);
    const unknown = await cli('diff-store', 'v1', 'nope');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no tag named "nope"/);
  });

  it('exports a release as it was at its tag', async () => {
    const file = join(target.workDir, 'v1.json');
    const exported = await cli('export', '--output', file, '--at', 'tag:v1', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const bundle = JSON.parse(await readFile(file, 'utf8')) as { position: number; items: { name: string; metadata: unknown }[] };
    expect(bundle.position).toBe(JSON.parse(exported.stdout).position);
    // at v1 both items were alive, with their first labels; since then account changed and contact was deleted
    expect(bundle.items.map(({ name, metadata }) => ({ name, metadata }))).toEqual([
      { name: 'account', metadata: { label: 'Account' } },
      { name: 'contact', metadata: { label: 'Contact' } },
    ]);
    const unknown = await cli('export', '--output', join(target.workDir, 'nope.json'), '--at', 'tag:nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/no tag named "nope"/);
  });

  it('promotes an export file into another store, once', async () => {
    const file = join(target.workDir, 'release.json');
    await target.withStore(async (store) => {
      const { items, position } = await readExportSnapshot(store, { includeHistory: false, principal: operatorPrincipal() });
      await writeFile(file, JSON.stringify(exportBundle(items, position)));
    });
    const dry = await other.cli(['promote', '--from', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/create\s+object\/account/);
    expect(dry.stdout).toMatch(/dry run: nothing written/);
    const applied = await other.cli(['promote', '--from', file]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/promoted 1 item from export:.*release\.json at position \d+ in changeset/);
    const again = await other.cli(['promote', '--from', file]);
    expect(again.stdout).toMatch(/already promoted/);
    const missing = await other.cli(['promote', '--from', join(target.workDir, 'nope.json')]);
    expect(missing.code).toBe(2);
  }, 240_000); // five CLI runs, each opening an embedded database on PGlite
});
