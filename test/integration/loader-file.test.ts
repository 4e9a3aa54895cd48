import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { LoaderWatchEvent } from '../../src/index.js';
import { FileLoader } from '../../src/loaders/file/file-loader.js';
import { waitFor } from '../helpers/wait-for.js';

let root: string;
let loader: FileLoader;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'metaledger-files-'));
  loader = new FileLoader({ root });
});
afterAll(() => rm(root, { recursive: true, force: true }));

const put = async (path: string, text: string) => {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
};

describe('file: loader', () => {
  it('reads <type>/<name>.json and .yaml, filling type and name from the path, with stats', async () => {
    await put('object/account.json', JSON.stringify({ scope: 'system', metadata: { label: 'Account' } }));
    await put('object/contact.yaml', 'namespace: crm\nmetadata:\n  label: Contact\n');
    const account = await loader.load('object', 'account');
    expect(account.data).toEqual({
      type: 'object',
      name: 'account',
      namespace: 'default',
      scope: 'system',
      strategy: 'merge',
      state: 'active',
      metadata: { label: 'Account' },
    });
    const info = await stat(join(root, 'object/account.json'));
    expect(account.stats).toMatchObject({
      size: info.size,
      mtime: info.mtime.toISOString(),
      format: 'json',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(account.etag).toBe(account.stats!.etag);
    const contact = await loader.load('object', 'contact');
    expect(contact.data).toMatchObject({ name: 'contact', namespace: 'crm', metadata: { label: 'Contact' } });
    expect(contact.stats?.format).toBe('yaml');
    expect((await loader.load('object', 'nothing')).data).toBeNull();
  });

  it('answers ifNoneMatch with notModified, serves unchanged files from its cache and sees edits', async () => {
    const first = await loader.load('object', 'account');
    expect(await loader.load('object', 'account', { ifNoneMatch: first.etag })).toMatchObject({
      data: null,
      notModified: true,
      etag: first.etag,
    });
    expect((await loader.load('object', 'account')).fromCache).toBe(true);
    await put('object/account.json', JSON.stringify({ scope: 'system', metadata: { label: 'Client' } }));
    const edited = await loader.load('object', 'account', { ifNoneMatch: first.etag });
    expect(edited).toMatchObject({ notModified: false, fromCache: false, data: { metadata: { label: 'Client' } } });
    expect(edited.etag).not.toBe(first.etag);
  });

  it('writes atomically in a canonical form, keeps a file’s format, and honours onConflict and etags', async () => {
    const saved = await loader.save('view', { name: 'all_accounts', namespace: 'crm', metadata: { columns: ['name'] } });
    expect(saved).toMatchObject({ success: true, created: true, path: join(root, 'view/all_accounts.json') });
    const text = await readFile(join(root, 'view/all_accounts.json'), 'utf8');
    expect(text).toBe(
      `${JSON.stringify({ type: 'view', name: 'all_accounts', namespace: 'crm', scope: 'platform', metadata: { columns: ['name'] }, strategy: 'merge', state: 'active' }, null, 2)}\n`,
    );
    expect(saved.etag).toBe((await loader.load('view', 'all_accounts')).etag);
    // no temp file is left behind
    expect(await readdir(join(root, 'view'))).toEqual(['all_accounts.json']);

    // update keeps envelope fields the caller did not give; the yaml file stays yaml
    await loader.save('object', { name: 'contact', metadata: { label: 'Person' } });
    expect(await readdir(join(root, 'object'))).toEqual(['account.json', 'contact.yaml']);
    expect(YAML.parse(await readFile(join(root, 'object/contact.yaml'), 'utf8'))).toMatchObject({
      namespace: 'crm',
      metadata: { label: 'Person' },
    });
    await loader.save('object', { name: 'contact', metadata: { label: 'Person' } }, { format: 'json' });
    expect(await readdir(join(root, 'object'))).toEqual(['account.json', 'contact.json']);

    await expect(loader.save('view', { name: 'all_accounts', metadata: {} }, { onConflict: 'error' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await loader.save('view', { name: 'all_accounts', metadata: {} }, { onConflict: 'skip' })).toMatchObject({ skipped: true });
    await expect(loader.save('view', { name: 'all_accounts', metadata: {} }, { expectedEtag: '"stale"' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(loader.save('view', { name: 'all_accounts', metadata: {} }, { expectedEtag: null })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await readFile(join(root, 'view/all_accounts.json'), 'utf8')).toBe(text);
    await loader.save('view', { name: 'all_accounts', metadata: { columns: ['name', 'owner'] } }, { expectedEtag: saved.etag });
    await expect(loader.delete('view', 'all_accounts', { expectedEtag: saved.etag })).rejects.toMatchObject({ code: 'CONFLICT' });
    await loader.delete('view', 'all_accounts');
    expect(await readdir(join(root, 'view'))).toEqual([]);
    await expect(loader.delete('view', 'all_accounts')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses names that would leave the directory, and writes when its contract forbids it', async () => {
    await expect(loader.save('../escape', { name: 'x', metadata: {} })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(loader.load('object', '.hidden')).rejects.toMatchObject({ code: 'VALIDATION' });
    const readOnly = new FileLoader({ root, capabilities: { write: false } });
    await expect(readOnly.save('object', { name: 'y', metadata: {} })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(readdir(join(root, '..', 'escape'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists with filters and sort, and reports every invalid file with its path', async () => {
    await put('dashboard/a.json', JSON.stringify({ metadata: { rank: 2 } }));
    await put('dashboard/b.yaml', 'scope: user\nowner: alice\nmetadata:\n  rank: 1\n');
    await put('dashboard/c.json', JSON.stringify({ metadata: { rank: 3 } }));
    await put('dashboard/.c.json.tmp', 'half a file');
    expect((await loader.list('dashboard')).map((record) => record.name)).toEqual(['a', 'b', 'c']);
    expect((await loader.list('dashboard', { sort: { field: 'metadata.rank' } })).map((record) => record.name)).toEqual(['b', 'a', 'c']);
    expect((await loader.list('dashboard', { filters: { owner: 'alice' } })).map((record) => record.name)).toEqual(['b']);
    expect((await loader.list('dashboard', { scope: 'platform', limit: 1 })).map((record) => record.name)).toEqual(['a']);
    expect(await loader.types()).toEqual(['dashboard', 'object', 'view']);

    await put('broken/x.json', '{ "metadata": ');
    await put('broken/y.yaml', 'scope: galaxy\nmetadata: 3\n');
    await put('broken/z.json', JSON.stringify({ name: 'other', metadata: {} }));
    const error = await loader.list('broken').catch((caught) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'broken/x.json:(root)',
      'broken/y.yaml:metadata',
      'broken/y.yaml:scope',
      'broken/z.json:name',
    ]);
    expect(error.issues.find((issue: { path: string }) => issue.path === 'broken/x.json:(root)').message).toMatch(/malformed JSON/);
  });

  it('watches the directory: added, changed (only when the content changes) and deleted', async () => {
    const seen: LoaderWatchEvent[] = [];
    const handle = loader.watch((event) => void seen.push(event), { types: ['report'] });
    await mkdir(join(root, 'report'), { recursive: true });
    try {
      await handle.ready;
      await loader.save('report', { name: 'pipeline', metadata: { v: 1 } });
      await waitFor(() => seen.length >= 1, 'added');
      await loader.save('report', { name: 'pipeline', metadata: { v: 1 } });
      await loader.save('report', { name: 'pipeline', metadata: { v: 2 } });
      await waitFor(() => seen.length >= 2, 'changed');
      await loader.delete('report', 'pipeline');
      await waitFor(() => seen.length >= 3, 'deleted');
      await loader.save('dashboard', { name: 'ignored', metadata: {} });
      await loader.save('report', { name: 'last', metadata: {} });
      await waitFor(() => seen.length >= 4, 'the last event');
    } finally {
      await handle.close();
    }
    expect(seen.map((event) => `${event.type} ${event.metadataType}/${event.name}`)).toEqual([
      'added report/pipeline',
      'changed report/pipeline',
      'deleted report/pipeline',
      'added report/last',
    ]);
    expect(seen[1]).toMatchObject({ path: join('report', 'pipeline.json'), data: { metadata: { v: 2 } } });
  });
});

describe('file: load and save options', () => {
  let dir: string;
  let files: FileLoader;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metaledger-file-options-'));
    files = new FileLoader({ root: dir });
    await files.save('form', { name: 'lead', metadata: { b: 1, a: { z: 1, y: 2 } } });
    await files.save('form', { name: 'case', metadata: {} }, { format: 'yaml' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('patterns are globs on the file names: list and load see only the files they match', async () => {
    expect((await files.list('form', { patterns: ['*.yaml'] })).map((record) => record.name)).toEqual(['case']);
    expect((await files.list('form', { patterns: ['l?ad.*', 'nothing*'] })).map((record) => record.name)).toEqual(['lead']);
    expect((await files.load('form', 'lead', { patterns: ['*.yaml'] })).data).toBeNull();
    expect((await files.load('form', 'lead', { patterns: ['*.json'] })).data?.name).toBe('lead');
  });

  it('recursive: true is refused (items sit directly in their type folder); false is what happens', async () => {
    await expect(files.list('form', { recursive: true })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'recursive' }] });
    expect(await files.list('form', { recursive: false })).toHaveLength(2);
  });

  it('format yml writes YAML under .yml', async () => {
    const saved = await files.save('form', { name: 'short', metadata: { x: 1 } }, { format: 'yml' });
    expect(saved.path).toBe(join(dir, 'form', 'short.yml'));
    expect(YAML.parse(await readFile(saved.path!, 'utf8'))).toMatchObject({ metadata: { x: 1 } });
    expect((await files.load('form', 'short')).data?.metadata).toEqual({ x: 1 });
  });

  it('indent, prettify and sortKeys lay the file out', async () => {
    const indented = await files.save('form', { name: 'lead', metadata: { b: 1, a: { z: 1, y: 2 } } }, { indent: 4, sortKeys: true });
    const text = await readFile(indented.path!, 'utf8');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 4)}\n`);
    expect(Object.keys(JSON.parse(text))).toEqual([...Object.keys(JSON.parse(text))].sort());
    expect(Object.keys(JSON.parse(text).metadata.a)).toEqual(['y', 'z']);
    const compact = await files.save('form', { name: 'lead', metadata: { b: 2 } }, { prettify: false });
    expect((await readFile(compact.path!, 'utf8')).trimEnd().split('\n')).toHaveLength(1);
    const flow = await files.save('form', { name: 'case', metadata: { list: [1, 2] } }, { prettify: false });
    expect((await readFile(flow.path!, 'utf8')).trimEnd().split('\n')).toHaveLength(1);
    expect((await files.load('form', 'case')).data?.metadata).toEqual({ list: [1, 2] });
  });

  it('backup keeps the previous content and says where', async () => {
    const before = await readFile(join(dir, 'form', 'lead.json'), 'utf8');
    const saved = await files.save('form', { name: 'lead', metadata: { b: 3 } }, { backup: true });
    expect(saved.backupPath).toBe(join(dir, 'form', 'lead.json.bak'));
    expect(await readFile(saved.backupPath!, 'utf8')).toBe(before);
    // a backup file is not an item
    expect((await files.list('form')).map((record) => record.name).sort()).toEqual(['case', 'lead', 'short']);
  });

  it('refuses options a directory of files cannot honour, saying why', async () => {
    for (const [path, options] of [
      ['path', { path: 'elsewhere/lead.json' }],
      ['atomic', { atomic: false }],
      ['validate', { validate: false }],
      ['transaction', { transaction: { isolationLevel: 'serializable' } }],
      ['indent', { indent: 0, format: 'yaml' }],
      ['format', { format: 'typescript' }],
      ['datasource', { datasource: 'metadata_db' }],
    ] as const) {
      await expect(files.save('form', { name: 'lead', metadata: {} }, options), path).rejects.toMatchObject({
        code: 'VALIDATION',
        issues: [expect.objectContaining({ path })],
      });
    }
    expect((await files.load('form', 'lead')).data?.metadata).toEqual({ b: 3 });
  });
});
