import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { MetadataStore } from '../../src/index.js';
import { FileLoader } from '../../src/loaders/file/file-loader.js';
import { terminalProgress } from '../../src/loaders/progress.js';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { exportMetadata } from '../../src/service/export/export-metadata.js';
import { importMetadata } from '../../src/service/import/import-metadata.js';
import { operatorPrincipal } from '../../src/service/principal.js';
import { databaseRefusalLog } from '../../src/service/refusal-log.js';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';
import { scriptCommand } from '../helpers/script-command.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

let database: TestDatabase;
let store: MetadataStore;
let work: string;
/** Trusted code names itself: a deploy acting as an admin. */
const deployer = operatorPrincipal('deployer');

beforeAll(async () => {
  database = await createTestDatabase('export_import');
  store = await database.open();
  work = await mkdtemp(join(tmpdir(), 'metaledger-transfer-'));
});
afterAll(async () => {
  await database.dispose();
  await rm(work, { recursive: true, force: true });
});

/** Writes files under `dir`; returns dir. */
async function files(dir: string, contents: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(contents)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

interface FixtureRecord {
  type: string;
  name: string;
  namespace?: string;
  scope?: string;
  metadata: Record<string, unknown>;
  extends?: string;
  owner?: string;
}

/** A record file as an export writes it: every envelope field, in the fixed order, as two-space JSON. */
const canonical = ({ type, name, namespace = 'default', scope = 'platform', metadata, extends: parent, owner }: FixtureRecord) =>
  `${JSON.stringify({ type, name, namespace, scope, metadata, extends: parent, strategy: 'merge', owner, state: 'active' }, null, 2)}\n`;

async function readTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const type of (await readdir(dir)).sort()) {
    for (const file of (await readdir(join(dir, type))).sort()) tree[`${type}/${file}`] = await readFile(join(dir, type, file), 'utf8');
  }
  return tree;
}

const eventCount = async () => Number((await database.query<{ n: number }>('SELECT count(*) AS n FROM metadata_events'))[0].n);

describe('round trip: files → database → export → files', () => {
  it('gives back the same bytes, as one import changeset', async () => {
    const source = await files(join(work, 'source'), {
      'object/account.json': canonical({
        type: 'object',
        name: 'account',
        scope: 'system',
        metadata: { label: 'Account', fields: { amount: { label: 'Amount' } } },
      }),
      'object/invoice.json': canonical({ type: 'object', name: 'invoice', namespace: 'billing', metadata: { label: 'Invoice' } }),
      'view/all.json': canonical({ type: 'view', name: 'all', metadata: { columns: ['name'] }, extends: 'base' }),
    });
    // a file loader's own writes are a valid source too
    await new FileLoader({ root: source }).save('dashboard', { name: 'home', scope: 'user', owner: 'alice', metadata: { tiles: 4 } });
    const original = await readTree(source);

    const report = await importMetadata(store, {
      source,
      allowSystem: true,
      actor: 'deployer',
      reason: 'first deploy',
      principal: deployer,
    });
    expect(report.counts).toEqual({ create: 4, update: 0, unchanged: 0, skip: 0, invalid: 0 });
    const changesets = await database.query<{ changeset_id: string; source: string; actor: string; event_count: number }>(
      `SELECT DISTINCT e.changeset_id, c.source, c.actor, c.event_count FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id`,
    );
    expect(changesets).toEqual([{ changeset_id: report.changesetId, source: 'import', actor: 'deployer', event_count: 4 }]);

    const exported = await exportMetadata(store, { output: join(work, 'exported'), principal: deployer });
    expect(exported).toMatchObject({ kind: 'directory', format: 'json', items: 4 });
    expect(await readTree(join(work, 'exported'))).toEqual(original);
  });

  it('a sparse source comes back with its defaults written out, and YAML reads back as the same records', async () => {
    const sparse = await files(join(work, 'sparse'), { 'form/lead.yaml': 'metadata:\n  sections: [main]\n' });
    await importMetadata(store, { source: sparse, principal: deployer });
    await exportMetadata(store, { output: join(work, 'yaml-out'), format: 'yaml', types: ['form'], principal: deployer });
    expect(YAML.parse(await readFile(join(work, 'yaml-out/form/lead.yaml'), 'utf8'))).toEqual({
      type: 'form',
      name: 'lead',
      namespace: 'default',
      scope: 'platform',
      metadata: { sections: ['main'] },
      strategy: 'merge',
      state: 'active',
    });
    expect(await new FileLoader({ root: join(work, 'yaml-out') }).load('form', 'lead')).toMatchObject({
      data: await new FileLoader({ root: sparse }).load('form', 'lead').then((r) => r.data),
    });
  });

  it('format yml writes YAML files under .yml; code formats are refused, naming the format', async () => {
    const report = await exportMetadata(store, { output: join(work, 'yml-out'), format: 'yml', types: ['form'] });
    expect(report).toMatchObject({ kind: 'directory', format: 'yaml' });
    expect(YAML.parse(await readFile(join(work, 'yml-out/form/lead.yml'), 'utf8'))).toMatchObject({ name: 'lead' });
    await expect(exportMetadata(store, { output: join(work, 'ts-out'), format: 'typescript' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: 'format', message: expect.stringMatching(/not typescript/) }],
    });
  });
});

describe('export', () => {
  it('writes one bundle with envelopes and, on request, the full history; filters by type and namespace', async () => {
    await store.save('object', { name: 'invoice', namespace: 'billing', metadata: { label: 'Bill' } }, { actor: 'bob', reason: 'rename' });
    const report = await exportMetadata(store, {
      output: join(work, 'bundle.json'),
      includeHistory: true,
      types: ['object'],
      namespaces: ['billing'],
      principal: deployer,
    });
    expect(report).toMatchObject({ kind: 'file', format: 'json', items: 1, includeHistory: true });
    const bundle = JSON.parse(await readFile(join(work, 'bundle.json'), 'utf8'));
    expect(bundle).toMatchObject({ format: 'metaledger-export', version: 1, position: report.position });
    expect(bundle.items).toEqual([
      {
        type: 'object',
        name: 'invoice',
        namespace: 'billing',
        scope: 'platform',
        metadata: { label: 'Bill' },
        strategy: 'merge',
        state: 'active',
        history: [
          expect.objectContaining({ version: 1, kind: 'created', actor: 'deployer', source: 'import' }),
          expect.objectContaining({
            version: 2,
            kind: 'updated',
            actor: 'bob',
            reason: 'rename',
            patch: [{ op: 'replace', path: '/metadata/label', value: 'Bill' }],
          }),
        ],
      },
    ]);
    const yaml = await exportMetadata(store, { output: join(work, 'all.yaml'), principal: deployer });
    expect(YAML.parse(await readFile(join(work, 'all.yaml'), 'utf8')).items.map((item: { name: string }) => item.name)).toEqual([
      'home',
      'lead',
      'account',
      'invoice',
      'all',
    ]);
    expect(yaml.items).toBe(5);
    await expect(exportMetadata(store, { output: join(work, 'x.yaml'), format: 'json', principal: deployer })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('as a principal, leaves out the user items it may not read', async () => {
    const asBob = await exportMetadata(store, { output: join(work, 'bob.json'), principal: { id: 'bob', roles: [] } });
    const asAlice = await exportMetadata(store, { output: join(work, 'alice.json'), principal: { id: 'alice', roles: [] } });
    expect(asAlice.items - asBob.items).toBe(1);
  });
});

describe('import', () => {
  it('merge deep-merges payloads and keeps envelope fields the file does not give; skip and replace do what they say', async () => {
    await store.save('page', { name: 'p', namespace: 'crm', metadata: { title: 'T', layout: { cols: 2, rows: 1 }, old: true } });
    const source = await files(join(work, 'strategies'), {
      'page/p.json': JSON.stringify({ metadata: { layout: { cols: 3 }, old: null } }),
      'page/q.json': JSON.stringify({ metadata: { n: 1 } }),
    });

    const skipped = await importMetadata(store, { source, strategy: 'skip', principal: deployer });
    expect(skipped.changes.map((change) => `${change.name}:${change.action}`)).toEqual(['p:skip', 'q:create']);
    expect((await store.load('page', 'p')).data).toMatchObject({ version: 1 });

    const merged = await importMetadata(store, { source, strategy: 'merge', principal: deployer });
    expect(merged.changes.map((change) => `${change.name}:${change.action}`)).toEqual(['p:update', 'q:unchanged']);
    expect((await store.load('page', 'p')).data).toMatchObject({
      namespace: 'crm',
      metadata: { title: 'T', layout: { cols: 3, rows: 1 } },
      version: 2,
    });

    const replaced = await importMetadata(store, { source, strategy: 'replace', principal: deployer });
    expect(replaced.counts).toMatchObject({ update: 1, unchanged: 1 });
    expect((await store.load('page', 'p')).data).toMatchObject({ namespace: 'default', metadata: { layout: { cols: 3 } }, version: 3 });
  });

  it('a dry run reports every item’s change and writes nothing', async () => {
    const source = await files(join(work, 'dry'), {
      'page/p.json': JSON.stringify({ metadata: { layout: { cols: 4 } } }),
      'page/r.json': JSON.stringify({ metadata: {} }),
    });
    const before = await eventCount();
    const plan = await importMetadata(store, { source, dryRun: true, principal: deployer });
    expect(plan).toMatchObject({ dryRun: true, counts: { create: 1, update: 1 } });
    expect(plan.changesetId).toBeUndefined();
    expect(plan.changes).toEqual([
      {
        type: 'page',
        name: 'p',
        file: 'page/p.json',
        action: 'update',
        fromVersion: 3,
        version: 4,
        patch: [{ op: 'replace', path: '/metadata/layout/cols', value: 4 }],
      },
      expect.objectContaining({ type: 'page', name: 'r', action: 'create', version: 1 }),
    ]);
    expect(await eventCount()).toBe(before);
  });

  it('is one changeset that a restore to its restore point undoes as one', async () => {
    const source = await files(join(work, 'undo'), {
      'page/p.json': JSON.stringify({ metadata: { undo: 1 } }),
      'page/s.json': JSON.stringify({ metadata: {} }),
    });
    const before = await store.load('page', 'p', { cache: false });
    const report = await importMetadata(store, { source, strategy: 'replace', principal: deployer });
    expect(report.counts).toMatchObject({ create: 1, update: 1 });
    const restored = await store.restore({ position: report.restorePoint! });
    expect(restored.steps.map((step) => `${step.name}:${step.action}`).sort()).toEqual(['p:revert', 's:delete']);
    expect((await store.load('page', 'p', { cache: false })).data?.metadata).toEqual(before.data?.metadata);
    expect((await store.load('page', 's', { cache: false })).data).toBeNull();
  });

  it('reports every problem of malformed files with its file and path, and writes nothing', async () => {
    const source = await files(join(work, 'malformed'), {
      'object/bad-json.json': '{ "metadata": { "a": 1 ',
      'object/bad-scope.yaml': 'scope: galaxy\nmetadata:\n  a: 1\n',
      'object/renamed.json': JSON.stringify({ name: 'other', metadata: {} }),
      'object/fine.json': JSON.stringify({ metadata: {} }),
      'loose.json': '{}',
    });
    const bundle = join(work, 'malformed-bundle.json');
    await writeFile(
      bundle,
      JSON.stringify({
        items: [
          { type: 'object', name: 'ok', metadata: {} },
          { type: 'object', metadata: {} },
          { type: 'object', name: 'ok', metadata: 'x' },
        ],
      }),
    );
    const before = await eventCount();

    const error = await importMetadata(store, { source, principal: deployer }).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'loose.json:(root)',
      'object/bad-json.json:(root)',
      'object/bad-scope.yaml:scope',
      'object/renamed.json:name',
    ]);
    expect(error.issues.find((issue: { file: string }) => issue.file === 'object/bad-json.json').message).toMatch(/^malformed JSON/);

    const bundleError = await importMetadata(store, { source: bundle, principal: deployer }).catch((caught) => caught);
    expect(bundleError.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'malformed-bundle.json:items.1.name',
      'malformed-bundle.json:items.2.metadata',
    ]);
    expect(await eventCount()).toBe(before);

    // without validate, the valid items go in and the others are reported
    const lenient = await importMetadata(store, { source, validate: false, principal: deployer });
    expect(lenient.counts).toMatchObject({ create: 1, invalid: 4 });
    expect(lenient.changes.map((change) => change.name)).toEqual(['fine']);
    expect(await eventCount()).toBe(before + 1);
  });

  it('changes system items only with allowSystem, and platform items only for admins; refusals are recorded', async () => {
    const source = await files(join(work, 'deploy'), {
      'object/core.json': JSON.stringify({ scope: 'system', metadata: {} }),
      'object/team.json': JSON.stringify({ metadata: {} }),
    });
    const before = await eventCount();
    await expect(importMetadata(store, { source, principal: deployer })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('object/core.json'),
    });
    await expect(importMetadata(store, { source, allowSystem: true, principal: { id: 'carol', roles: [] } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await eventCount()).toBe(before);
    const refusals = await databaseRefusalLog(store.db).list({ limit: 1000 });
    expect(
      refusals
        .filter((refusal) => refusal.source === 'import')
        .map((refusal) => `${refusal.principal ?? '-'} ${refusal.operation} ${refusal.name}`),
    ).toEqual(['deployer create core', 'carol create core', 'carol create team']);
    expect((await importMetadata(store, { source, allowSystem: true, principal: { id: 'root', roles: ['admin'] } })).counts.create).toBe(2);
  });
});

describe('progress on a terminal', () => {
  it('draws a bar on a TTY and stays silent elsewhere', () => {
    const written: string[] = [];
    const bar = terminalProgress({ isTTY: true, write: (text: string) => written.push(text) });
    bar.start('importing', 4);
    for (let i = 0; i < 4; i++) bar.tick();
    bar.done();
    expect(written.at(-2)).toContain('[##############################] 100% 4/4');
    expect(written.at(-1)).toBe('\n');
    const quiet: string[] = [];
    const none = terminalProgress({ isTTY: false, write: (text: string) => quiet.push(text) });
    none.start('x', 1);
    none.tick();
    none.done();
    expect(quiet).toEqual([]);
  });
});

describe('CLI: export, import, serve', () => {
  let target: CliTarget;
  beforeAll(async () => {
    target = await createCliTarget('transfer_cli');
  });
  afterAll(() => target.dispose());

  it('imports a directory (dry run first), exports it back, and refuses without --allow-system', async () => {
    const source = await files(join(target.workDir, 'meta'), {
      'object/account.json': canonical({ type: 'object', name: 'account', scope: 'system', metadata: { label: 'Account' } }),
      'view/all.json': canonical({ type: 'view', name: 'all', metadata: { columns: ['name'] } }),
    });
    const dry = await target.cli(['import', '--source', source, '--dry-run', '--allow-system']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^create\s+object\/account\s+object\/account\.json/m);
    expect(dry.stdout.trimEnd().split('\n').at(-1)).toBe('dry run, nothing written: would be 2 created, 0 updated, 0 unchanged, 0 skipped');

    const refused = await target.cli(['import', '--source', source]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(
      /^error \[FORBIDDEN\]: import refused, nothing was imported: object\/account\.json: system items are read-only/,
    );

    const imported = await target.cli(['import', '--source', source, '--allow-system', '--json']);
    expect(JSON.parse(imported.stdout)).toMatchObject({ counts: { create: 2 }, changesetId: expect.any(String) });

    const out = join(target.workDir, 'out');
    const exported = await target.cli(['export', '--output', out, '--types', 'object,view']);
    expect(exported).toMatchObject({ code: 0, stdout: expect.stringMatching(/^exported 2 items to /) });
    expect(await readTree(out)).toEqual(await readTree(source));

    const bad = await files(join(target.workDir, 'bad'), {
      'object/x.json': '{',
      'object/y.json': JSON.stringify({ scope: 'nope', metadata: {} }),
    });
    const invalid = await target.cli(['import', '--source', bad]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^error \[VALIDATION\]: invalid import source .*; nothing was imported$/),
      expect.stringMatching(/^ {2}object\/x\.json:\(root\): malformed JSON/),
      expect.stringMatching(/^ {2}object\/y\.json:scope: /),
    ]);
  });

  it('serves the HTTP API until interrupted', async () => {
    const { targetArgs } = target;
    const { key, hash } = generateApiKey();
    const { command, args } = scriptCommand('src/cli/bin.ts', [...targetArgs, 'serve', '--port', '0', '--api-key', `viewer=${hash}`]);
    const child = spawn(command, args, { cwd: target.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await waitFor(() => /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1], 'the server to listen');
      const authorization = `Bearer ${key}`;
      const response = await fetch(`${url}/api/v1/records/view/all`, { headers: { authorization } });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"v1"');
      expect(await response.json()).toMatchObject({ name: 'all', metadata: { columns: ['name'] } });
      expect((await fetch(`${url}/api/v1/records/view/all`, { method: 'DELETE', headers: { authorization } })).status).toBe(403);
      expect((await fetch(`${url}/api/v1/records/view/all`, { method: 'DELETE' })).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
