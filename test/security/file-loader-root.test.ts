import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataWatchEvent } from '../../src/index.js';
import { isMetaledgerError } from '../../src/index.js';
import { FileLoader } from '../../src/loaders/file/file-loader.js';
import { waitFor } from '../helpers/wait-for.js';

// A file loader reads, writes, lists, watches and deletes under its root only. A symbolic link that
// leads out of the root (a type directory or an item file) is refused, never followed; errors never
// quote what a file holds.

let work: string;
let root: string;
let outside: string;
let loader: FileLoader;

const secret = 'hunter2-outside-secret';
const outsideRecord = JSON.stringify({ metadata: { password: secret } });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'metaledger-root-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

beforeEach(async () => {
  await rm(join(work, 'root'), { recursive: true, force: true });
  await rm(join(work, 'outside'), { recursive: true, force: true });
  root = join(work, 'root');
  outside = join(work, 'outside');
  await mkdir(join(root, 'object'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.json'), outsideRecord);
  await writeFile(join(outside, 'victim.json'), outsideRecord);
  await writeFile(join(root, 'object', 'inside.json'), JSON.stringify({ metadata: { n: 1 } }));
  // a type directory and an item file that lead out of the root
  await symlink(outside, join(root, 'linked'));
  await symlink(join(outside, 'secret.json'), join(root, 'object', 'leak.json'));
  loader = new FileLoader({ root });
});

const outsideFiles = () => readdir(outside).then((names) => names.sort());
const refusal = (error: unknown) => {
  expect(isMetaledgerError(error, 'FORBIDDEN'), String(error)).toBe(true);
  expect(String((error as Error).message)).not.toContain(secret);
  expect((error as Error).message).toMatch(/outside the loader's root/);
};

describe('nothing outside the root is ever read', () => {
  it('load through a symlinked type directory or a symlinked item file is refused', async () => {
    refusal(await loader.load('linked', 'secret').catch((e) => e));
    refusal(await loader.load('object', 'leak').catch((e) => e));
    expect((await loader.load('object', 'inside')).data).toMatchObject({ metadata: { n: 1 } });
  });

  it('list and types do not follow a link out of the root, and say nothing of what it holds', async () => {
    expect(await loader.types()).toEqual(['object']);
    refusal(await loader.list('linked').catch((e) => e));
    const error = await loader.list('object').catch((e) => e);
    expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
    expect(error.message).toMatch(/object\/leak\.json.*outside the loader's root/);
    expect(error.message).not.toContain(secret);
    const scanned = await loader.scan();
    expect(scanned.items.map((item) => item.record.name)).toEqual(['inside']);
    expect(JSON.stringify(scanned)).not.toContain(secret);
  });

  it('links that stay inside the root are followed', async () => {
    await symlink(join(root, 'object', 'inside.json'), join(root, 'object', 'alias.json'));
    await symlink(join(root, 'object'), join(root, 'mirror'));
    expect((await loader.load('object', 'alias')).data).toMatchObject({ name: 'alias', metadata: { n: 1 } });
    expect((await loader.load('mirror', 'inside')).data).toMatchObject({ type: 'mirror', metadata: { n: 1 } });
  });

  it('a root that is itself a symbolic link works', async () => {
    await symlink(root, join(work, 'root-link'));
    const viaLink = new FileLoader({ root: join(work, 'root-link') });
    expect((await viaLink.load('object', 'inside')).data).toMatchObject({ metadata: { n: 1 } });
    refusal(await viaLink.load('object', 'leak').catch((e) => e));
  });

  it('swapping a type directory for a link while loads run never yields what is outside', async () => {
    await writeFile(join(outside, 'inside.json'), outsideRecord);
    let swapping = true;
    const swapper = (async () => {
      for (let round = 0; swapping && round < 400; round++) {
        await rename(join(root, 'object'), join(root, 'object-real'));
        await symlink(outside, join(root, 'object'));
        await rm(join(root, 'object'));
        await rename(join(root, 'object-real'), join(root, 'object'));
      }
    })();
    const seen: string[] = [];
    for (let i = 0; i < 400; i++) {
      const outcome = await loader.load('object', 'inside', { cache: false }).then(
        (result) => JSON.stringify(result.data),
        (error: Error) => (isMetaledgerError(error) ? error.message : `not a MetaledgerError: ${error}`),
      );
      seen.push(outcome);
    }
    swapping = false;
    await swapper;
    expect(seen.filter((outcome) => outcome.includes(secret) || outcome.startsWith('not a MetaledgerError'))).toEqual([]);
  });
});

describe('nothing outside the root is ever written or deleted', () => {
  it('save through a symlinked type directory writes nothing outside', async () => {
    refusal(await loader.save('linked', { name: 'planted', metadata: { x: 1 } }).catch((e) => e));
    refusal(await loader.save('linked', { name: 'victim', metadata: { x: 1 } }, { overwrite: true }).catch((e) => e));
    expect(await outsideFiles()).toEqual(['secret.json', 'victim.json']);
    expect(await readFile(join(outside, 'victim.json'), 'utf8')).toBe(outsideRecord);
  });

  it('save over a symlinked item file neither reads nor writes its target', async () => {
    refusal(await loader.save('object', { name: 'leak', metadata: { x: 1 } }, { overwrite: true }).catch((e) => e));
    expect(await readFile(join(outside, 'secret.json'), 'utf8')).toBe(outsideRecord);
  });

  it('delete through a symlinked type directory or item file deletes nothing outside', async () => {
    refusal(await loader.delete('linked', 'victim').catch((e) => e));
    refusal(await loader.delete('object', 'leak').catch((e) => e));
    expect(await outsideFiles()).toEqual(['secret.json', 'victim.json']);
  });

  it('inside the root, save and delete still work', async () => {
    await loader.save('object', { name: 'fresh', metadata: { x: 1 } });
    await loader.save('report', { name: 'new_type', metadata: {} });
    expect((await loader.load('object', 'fresh')).data).toMatchObject({ metadata: { x: 1 } });
    await loader.delete('object', 'fresh');
    expect((await loader.load('object', 'fresh')).data).toBeNull();
  });
});

describe('watch', () => {
  it('never reports what a link out of the root holds', async () => {
    const seen: MetadataWatchEvent[] = [];
    const errors: unknown[] = [];
    const handle = loader.watch((event) => void seen.push(event), { types: ['object', 'linked'], onError: (e) => errors.push(e) });
    await handle.ready;
    await writeFile(join(root, 'object', 'visible.json'), JSON.stringify({ metadata: { ok: true } }));
    await symlink(join(outside, 'victim.json'), join(root, 'object', 'planted.json'));
    await waitFor(() => seen.some((event) => event.name === 'visible'), 'the visible file');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await handle.close();
    expect(JSON.stringify(seen)).not.toContain(secret);
    expect(seen.map((event) => `${event.type}:${event.metadataType}/${event.name}`)).toEqual(['added:object/visible']);
    for (const error of errors) expect(String((error as Error).message)).not.toContain(secret);
  });
});

describe('error messages never quote a file', () => {
  it('a parse error names the file and where, not what it holds (generated contents)', async () => {
    const marker = 'SECRETMARKER';
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('json', 'yaml'),
        async (before, after, format) => {
          const text = `${before}${marker}${after}`;
          await writeFile(join(root, 'object', `bad.${format}`), text);
          const outcome = await loader.load('object', 'bad', { cache: false }).then(
            (result) => JSON.stringify(result),
            (error: Error) => `${error.message} ${JSON.stringify((error as { issues?: unknown }).issues ?? '')}`,
          );
          await rm(join(root, 'object', `bad.${format}`));
          // a text that happens to parse may be returned as data; a refusal never quotes it
          if (!outcome.includes('"data"')) expect(outcome).not.toContain(marker);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the case from the report: the first bytes of a file are not echoed', async () => {
    await writeFile(join(root, 'object', 'broken.json'), `${secret} and more`);
    const error = await loader.load('object', 'broken').catch((e) => e);
    expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('malformed JSON') });
    expect(error.message).not.toContain(secret.slice(0, 4));
    await writeFile(join(root, 'object', 'broken.json'), `{"type": "${secret}", "metadata": {}}`);
    expect((await loader.load('object', 'broken').catch((e) => e)).message).not.toContain(secret);
  });
});
