import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main.js';
import { MetadataDriver } from '../../../src/driver/metadata-driver.js';
import { isMetaledgerError, type MetadataStore } from '../../../src/index.js';
import { DatabaseLoader } from '../../../src/loaders/database/database-loader.js';
import { FileLoader } from '../../../src/loaders/file/file-loader.js';
import { createMetadataServer, listenMetadataServer } from '../../../src/server/create-server.js';
import { createMetadataService } from '../../../src/service/create-service.js';
import { exportMetadata } from '../../../src/service/export/export-metadata.js';
import { importMetadata } from '../../../src/service/import/import-metadata.js';
import type { Principal } from '../../../src/service/principal.js';
import type { TestDatabase } from '../../helpers/test-store.js';
import { storeState } from './store-state.js';

/** What the access table decides. */
export type Operation = 'read' | 'create' | 'update' | 'delete';

/** What a call did: allowed (with its effect checked by the matrix), refused by the access rules, or an error code. */
export type Outcome = 'allowed' | 'refused' | string;

/** The item a cell acts on: its name as the call spells it, and the envelope it has (or gets). */
export interface CellItem {
  name: string;
  scope: 'system' | 'platform' | 'user';
  owner?: string;
}

export interface CallContext {
  principal?: Principal;
  allowSystem: boolean;
  /** The etag of the seeded item (version 1), for updates and deletes. */
  etag?: string;
}

/**
 * One public entry point, driven the way a caller uses it. `checksAccess` entries take a principal and
 * apply the access table; the others are the trusted core and take none.
 */
export interface EntryPoint {
  name: string;
  checksAccess: boolean;
  /** Operations this entry offers (import never deletes; export is import's read). */
  operations: Operation[];
  /** Whether the entry can ask for allowSystem (HTTP cannot: system items never change over HTTP). */
  allowSystem: boolean;
  /** Only calls spelled canonically make sense here (export takes no name). */
  canonicalOnly?: Operation[];
  /** Puts an item in place the trusted way, with metadata { v: 1 }; resolves to its etag. */
  seed(item: CellItem): Promise<string>;
  /** Reads read `{ v }` back; writes write `{ v: 2 }`. */
  perform(operation: Operation, item: CellItem, context: CallContext): Promise<{ outcome: Outcome; readBack?: unknown }>;
  /** The item's `metadata.v` as the entry's backend holds it, read the trusted way (null: absent). */
  current(name: string): Promise<number | null>;
  /** A fingerprint of everything the entry's backend holds (equal before and after: nothing written). */
  state(): Promise<string>;
  /** The fingerprint and the rows in the refusal log, read together (one query instead of two). */
  snapshot(): Promise<{ state: string; refusals: number }>;
  close(): Promise<void>;
}

const TYPE = 'object';

function codeOf(error: unknown): Outcome {
  if (!isMetaledgerError(error)) return `not a MetaledgerError: ${String(error)}`;
  return error.code === 'FORBIDDEN' ? 'refused' : error.code;
}

async function outcomeOf(call: () => Promise<unknown>): Promise<{ outcome: Outcome; readBack?: unknown }> {
  try {
    return { outcome: 'allowed', readBack: await call() };
  } catch (error) {
    return { outcome: codeOf(error) };
  }
}

const recordOf = (item: CellItem, v: number) => ({
  name: item.name,
  scope: item.scope,
  ...(item.owner !== undefined ? { owner: item.owner } : {}),
  metadata: { v },
});

const readV = (record: { metadata?: { v?: unknown } } | null | undefined) => record?.metadata?.v ?? null;

/** Everything the database holds, less the refusal log (a refused call records its refusal there), and that log's size. */
async function databaseSnapshot(database: TestDatabase): Promise<{ state: string; refusals: number }> {
  const { refusals, ...rest } = await storeState(database);
  return { state: JSON.stringify(rest), refusals };
}

async function databaseCurrent(store: MetadataStore, name: string): Promise<number | null> {
  return readV((await store.load(TYPE, name, { cache: false })).data) as number | null;
}

/** The entries backed by the test database, each over the same store. */
export async function databaseEntryPoints(
  database: TestDatabase,
  store: MetadataStore,
  work: string,
  options: { cli?: { targetArgs: string[] } },
): Promise<EntryPoint[]> {
  const driver = new MetadataDriver(store);
  const loader = new DatabaseLoader(store);
  const service = createMetadataService({ store });
  const principals = new Map<string, Principal>();
  const server = await listenMetadataServer(
    createMetadataServer({
      service: createMetadataService({ store, source: 'http' }),
      // the test's stand-in for authentication: a header names the principal; none means anonymous,
      // who may read shared items (the operator's choice: auth.anonymousReads)
      auth: { anonymousReads: true },
      principal: (request: IncomingMessage) => principals.get(String(request.headers['x-test-principal'])) as Principal,
    }),
  );
  const seed = async (item: CellItem) => `"v${(await store.save(TYPE, recordOf(item, 1))).version}"`;
  const common = {
    seed,
    current: (name: string) => databaseCurrent(store, name),
    state: async () => (await databaseSnapshot(database)).state,
    snapshot: () => databaseSnapshot(database),
  };
  let files = 0;
  const bundle = async (item: CellItem) => {
    const file = join(work, `bundle-${files++}.json`);
    await writeFile(file, JSON.stringify({ items: [{ type: TYPE, ...recordOf(item, 2) }] }));
    return file;
  };
  const exported = async (file: string, name: string) => {
    const { items } = JSON.parse(await readFile(file, 'utf8')) as { items: { name: string; metadata: { v: number } }[] };
    const found = items.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`${name} was left out`);
    return found;
  };
  const entries: EntryPoint[] = [
    {
      name: 'store',
      checksAccess: false,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: false,
      ...common,
      perform: (operation, item) =>
        outcomeOf(async () => {
          if (operation === 'read') return (await store.load(TYPE, item.name, { cache: false })).data;
          if (operation === 'delete') return store.delete(TYPE, item.name, { expectedVersion: 1 });
          return store.save(TYPE, recordOf(item, 2), { expectedVersion: operation === 'create' ? 0 : 1 });
        }),
      close: async () => {},
    },
    {
      name: 'driver',
      checksAccess: false,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: false,
      ...common,
      perform: (operation, item) =>
        outcomeOf(async () => {
          if (operation === 'read') return (await driver.query({ filters: { type: TYPE, name: item.name } })).records[0] ?? null;
          if (operation === 'delete') return driver.bulkOperation({ operation, records: [{ type: TYPE, name: item.name }] });
          return driver.bulkOperation({ operation, records: [{ type: TYPE, ...recordOf(item, 2) }] });
        }),
      close: async () => {},
    },
    {
      name: 'database loader',
      checksAccess: false,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: false,
      ...common,
      perform: (operation, item, { etag }) =>
        outcomeOf(async () => {
          if (operation === 'read') return (await loader.load(TYPE, item.name, { cache: false })).data;
          if (operation === 'delete') return loader.delete(TYPE, item.name, { expectedEtag: etag });
          return loader.save(TYPE, recordOf(item, 2), { expectedEtag: operation === 'create' ? null : etag });
        }),
      close: async () => {},
    },
    {
      name: 'service',
      checksAccess: true,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: true,
      ...common,
      perform: (operation, item, { principal, allowSystem, etag }) =>
        outcomeOf(async () => {
          if (operation === 'read') return service.get(TYPE, item.name, { principal, cache: false });
          if (operation === 'delete') return service.unregister(TYPE, item.name, { principal, allowSystem, expectedEtag: etag });
          return service.register(TYPE, recordOf(item, 2), { principal, allowSystem, expectedEtag: operation === 'create' ? null : etag });
        }),
      close: async () => {},
    },
    {
      name: 'http',
      checksAccess: true,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: false,
      ...common,
      async perform(operation, item, { principal, etag }) {
        if (principal) principals.set(principal.id, principal);
        const method = { read: 'GET', create: 'PUT', update: 'PUT', delete: 'DELETE' }[operation];
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (principal) headers['x-test-principal'] = principal.id;
        if (operation === 'create') headers['if-none-match'] = '*';
        if ((operation === 'update' || operation === 'delete') && etag) headers['if-match'] = etag;
        const { name: _name, ...body } = recordOf(item, 2);
        const response = await fetch(`${server.url}/api/v1/records/${TYPE}/${encodeURIComponent(item.name)}`, {
          method,
          headers,
          body: method === 'PUT' ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        const parsed = text ? (JSON.parse(text) as { code?: string }) : undefined;
        if (response.ok) return { outcome: 'allowed', readBack: parsed };
        // 403: the principal may not; 401: an anonymous request may not write at all
        if (response.status === 403 || response.status === 401) return { outcome: 'refused' };
        return { outcome: parsed?.code ?? `HTTP ${response.status}` };
      },
      close: () => server.close(),
    },
    {
      name: 'import / export',
      checksAccess: true,
      operations: ['read', 'create', 'update'],
      allowSystem: true,
      canonicalOnly: ['read'],
      ...common,
      async perform(operation, item, { principal, allowSystem }) {
        if (operation === 'read') {
          const output = join(work, `export-${files++}.json`);
          const run = await outcomeOf(() => exportMetadata(store, { output, principal, types: [TYPE] }));
          if (run.outcome !== 'allowed') return run;
          // export leaves out what the principal may not read: that is its refusal
          return exported(output, item.name).then(
            (readBack) => ({ outcome: 'allowed', readBack }),
            () => ({ outcome: 'refused' }),
          );
        }
        return outcomeOf(async () => importMetadata(store, { source: await bundle(item), strategy: 'replace', allowSystem, principal }));
      },
      close: async () => {},
    },
  ];
  if (options.cli) entries.push(...cliEntryPoints(work, options.cli.targetArgs, common, bundle, exported));
  return entries;
}

/** The CLI in process (`main(argv, io)`), on the same database: get / save / delete as the trusted operator, import / export with `--as`. */
function cliEntryPoints(
  work: string,
  targetArgs: string[],
  common: Pick<EntryPoint, 'seed' | 'current' | 'state' | 'snapshot'>,
  bundle: (item: CellItem) => Promise<string>,
  exported: (file: string, name: string) => Promise<unknown>,
): EntryPoint[] {
  let outputs = 0;
  async function cli(args: string[], stdin = ''): Promise<{ outcome: Outcome; stdout: string }> {
    const output = { stdout: '', stderr: '' };
    const stdout = new PassThrough().on('data', (chunk) => (output.stdout += chunk));
    const stderr = new PassThrough().on('data', (chunk) => (output.stderr += chunk));
    const input = new PassThrough();
    input.end(stdin);
    const code = await main([...targetArgs, '--json', ...args], { stdout, stderr, stdin: input, env: process.env, cwd: work });
    if (code === 0) return { outcome: 'allowed', stdout: output.stdout };
    // --json: the error is a JSON object on stderr
    const reported = (() => {
      try {
        return (JSON.parse(output.stderr) as { error: { code: string } }).error.code;
      } catch {
        return undefined;
      }
    })();
    return { outcome: reported === 'FORBIDDEN' ? 'refused' : (reported ?? `exit ${code}: ${output.stderr.trim()}`), stdout: '' };
  }
  const asOption = (principal?: Principal) =>
    principal ? ['--as', `${principal.id}${principal.roles.length ? `:${principal.roles.join(',')}` : ''}`] : [];
  return [
    {
      name: 'cli',
      checksAccess: false,
      operations: ['read', 'create', 'update', 'delete'],
      allowSystem: false,
      ...common,
      async perform(operation, item) {
        const run =
          operation === 'read'
            ? await cli(['get', TYPE, item.name])
            : operation === 'delete'
              ? await cli(['delete', TYPE, item.name, '--expected-version', '1'])
              : await cli(
                  ['save', TYPE, item.name, '--file', '-', '--expected-version', operation === 'create' ? '0' : '1'],
                  JSON.stringify(recordOf(item, 2)),
                );
        return { outcome: run.outcome, readBack: run.stdout ? JSON.parse(run.stdout) : undefined };
      },
      close: async () => {},
    },
    {
      name: 'cli --as (import / export)',
      checksAccess: true,
      operations: ['read', 'create', 'update'],
      allowSystem: true,
      canonicalOnly: ['read'],
      ...common,
      async perform(operation, item, { principal, allowSystem }) {
        if (operation === 'read') {
          const output = join(work, `cli-export-${outputs++}.json`);
          const run = await cli(['export', '--output', output, '--types', TYPE, ...asOption(principal)]);
          if (run.outcome !== 'allowed') return run;
          return exported(output, item.name).then(
            (readBack) => ({ outcome: 'allowed', readBack }),
            () => ({ outcome: 'refused' }),
          );
        }
        const source = await bundle(item);
        const run = await cli([
          'import',
          '--source',
          source,
          '--strategy',
          'replace',
          ...(allowSystem ? ['--allow-system'] : []),
          ...asOption(principal),
        ]);
        return { outcome: run.outcome };
      },
      close: async () => {},
    },
  ];
}

/** The file loader over a directory of its own: the trusted core, like the store. */
export async function fileEntryPoint(root: string): Promise<EntryPoint> {
  await mkdir(root, { recursive: true });
  const loader = new FileLoader({ root });
  const readAll = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await readAll(path)));
      else
        out.push(
          `${path}:${createHash('sha256')
            .update(await readFile(path))
            .digest('hex')}`,
        );
    }
    return out.sort();
  };
  return {
    name: 'file loader',
    checksAccess: false,
    operations: ['read', 'create', 'update', 'delete'],
    allowSystem: false,
    seed: async (item) => (await loader.save(TYPE, recordOf(item, 1))).etag,
    perform: (operation, item, { etag }) =>
      outcomeOf(async () => {
        if (operation === 'read') return (await loader.load(TYPE, item.name, { cache: false })).data;
        if (operation === 'delete') return loader.delete(TYPE, item.name, { expectedEtag: etag });
        return loader.save(TYPE, recordOf(item, 2), { expectedEtag: operation === 'create' ? null : etag });
      }),
    current: async (name) => readV((await loader.load(TYPE, name, { cache: false })).data) as number | null,
    state: async () => (await readAll(root)).join('\n'),
    snapshot: async () => ({ state: (await readAll(root)).join('\n'), refusals: 0 }),
    close: () => rm(root, { recursive: true, force: true }),
  };
}
