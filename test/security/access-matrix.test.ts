import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Principal } from '../../src/service/principal.js';
import { backend, createTestDatabase, databaseUrl, type TestDatabase } from '../helpers/test-store.js';
import {
  databaseEntryPoints,
  fileEntryPoint,
  type CellItem,
  type EntryPoint,
  type Operation,
  type Outcome,
} from './helpers/entry-points.js';
import { caseVariant, nonCanonicalVariants } from './helpers/name-variants.js';

/**
 * Every item kind × principal × operation × entry point × name variant, each checked against the access
 * table documented in docs/service.md (read from the file, so the document and the behaviour cannot
 * drift apart). Trusted-core entries (store, driver, loaders, the CLI's own commands) take no principal:
 * every canonical call is allowed there. A non-canonical name is VALIDATION at every entry, before any
 * access check (no refusal is recorded) and without writing anything.
 */

type ItemKind = 'system' | 'system, with allowSystem' | 'platform' | 'own user item' | "another's user item";
type PrincipalKind = 'anonymous' | 'user' | 'admin';

const itemKinds: ItemKind[] = ['system', 'system, with allowSystem', 'platform', 'own user item', "another's user item"];
const principalKinds: PrincipalKind[] = ['anonymous', 'user', 'admin'];
const operations: Operation[] = ['read', 'create', 'update', 'delete'];
const principals: Record<Exclude<PrincipalKind, 'anonymous'>, Principal> = {
  user: { id: 'alice', roles: ['editor'] },
  admin: { id: 'root', roles: ['admin'] },
};

/** The documented table: `kind|principal|operation` → allowed, refused or — (does not apply). */
function documentedTable(): Map<string, string> {
  const text = readFileSync(new URL('../../docs/service.md', import.meta.url), 'utf8');
  const block = /<!-- access-table:start[^>]*-->\n([\s\S]*?)<!-- access-table:end -->/.exec(text);
  if (!block) throw new Error('docs/service.md has no access table between its markers');
  const table = new Map<string, string>();
  for (const line of block[1].trim().split('\n').slice(2)) {
    const [kind, principal, ...cells] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    operations.forEach((operation, i) => table.set(`${kind}|${principal}|${operation}`, cells[i]));
  }
  return table;
}

const table = documentedTable();

/** A variant of a name: canonical, its case variant (another item), or a non-canonical spelling. */
interface Variant {
  label: string;
  canonical: boolean;
  of(name: string): string;
}
const matrixVariants: Variant[] = [
  { label: 'canonical', canonical: true, of: (name) => name },
  { label: 'case variant', canonical: true, of: caseVariant },
  ...nonCanonicalVariants
    .filter((variant) => ['leading space', 'tab', 'no-break space', 'zero-width space inside', 'NFD accent'].includes(variant.label))
    .map((variant) => ({ ...variant, canonical: false })),
];

interface Cell {
  entry: EntryPoint;
  kind: ItemKind;
  principal?: PrincipalKind;
  operation: Operation;
  variant: Variant;
}

function expected(cell: Cell): Outcome {
  if (!cell.variant.canonical) return 'VALIDATION';
  if (!cell.entry.checksAccess) return 'allowed';
  return table.get(`${cell.kind}|${cell.principal}|${cell.operation}`)!;
}

function cellsOf(entry: EntryPoint): Cell[] {
  const cells: Cell[] = [];
  for (const kind of itemKinds) {
    if (kind === 'system, with allowSystem' && !entry.allowSystem) continue;
    for (const principal of entry.checksAccess ? principalKinds : [undefined]) {
      if (!entry.checksAccess && kind.endsWith('user item') && kind.startsWith('another')) continue; // no owner to tell apart
      for (const operation of entry.operations) {
        for (const variant of matrixVariants) {
          if (!variant.canonical && entry.canonicalOnly?.includes(operation)) continue;
          const cell = { entry, kind, principal, operation, variant };
          if (expected(cell) === '—') continue;
          cells.push(cell);
        }
      }
    }
  }
  return cells;
}

function principalOf(cell: Cell): Principal | undefined {
  if (cell.principal === undefined) return undefined;
  // a call that names no principal is anonymous; the CLI's --as names it (without --as it is the operator)
  if (cell.principal === 'anonymous') return cell.entry.name.startsWith('cli') ? anonymous : undefined;
  return principals[cell.principal];
}

function itemOf(cell: Cell, name: string): CellItem {
  const scope = cell.kind.startsWith('system') ? 'system' : cell.kind === 'platform' ? 'platform' : 'user';
  const self = principalOf(cell)?.id ?? (cell.principal === 'anonymous' ? 'anonymous' : 'alice');
  const owner = cell.kind === 'own user item' ? self : cell.kind === "another's user item" ? 'bob' : undefined;
  return { name, scope, ...(owner !== undefined ? { owner } : {}) };
}

let counter = 0;
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * Runs one cell through `entry` (the cell's entry point on the lane running it); returns a line
 * describing a mismatch, or undefined when the cell matches the table.
 */
async function runCell(cell: Cell, entry: EntryPoint, victims: Map<string, { item: CellItem; etag: string }>): Promise<string | undefined> {
  const { operation, variant } = cell;
  const context = { principal: principalOf(cell), allowSystem: cell.kind === 'system, with allowSystem' };
  const want = expected(cell);
  const describe = (got: string) =>
    `${entry.name} | ${cell.kind} | ${cell.principal ?? 'trusted'} | ${operation} | ${variant.label}: expected ${want}, got ${got}`;
  if (!variant.canonical) {
    // the item a look-alike name aims at exists; the look-alike must not reach it, nor any check
    const key = `${cell.kind}|${cell.principal}`;
    let victim = victims.get(key);
    if (!victim) {
      const item = itemOf(cell, `victim-${counter++}`);
      victim = { item, etag: await entry.seed(item) };
      victims.set(key, victim);
    }
    const before = await entry.snapshot();
    const { outcome } = await entry.perform(
      operation,
      { ...victim.item, name: variant.of(victim.item.name) },
      { ...context, etag: victim.etag },
    );
    if (outcome !== want) return describe(outcome);
    const after = await entry.snapshot();
    if (after.state !== before.state) return describe(`${outcome}, but something was written`);
    if (after.refusals !== before.refusals) return describe(`${outcome}, after an access check (a refusal was recorded)`);
    return undefined;
  }
  const base = `m-${slug(entry.name)}-${counter++}`;
  const target = variant.of(base);
  const twin = target === base ? caseVariant(base) : base;
  const item = itemOf(cell, target);
  const etag = operation === 'create' ? undefined : await entry.seed(item);
  await entry.seed({ ...item, name: twin });
  const before = await entry.state();
  const { outcome, readBack } = await entry.perform(operation, item, { ...context, etag });
  let got = outcome;
  if (outcome === 'allowed') {
    const now = await entry.current(target);
    const effect =
      operation === 'read'
        ? (readBack as { metadata?: { v?: number } } | null)?.metadata?.v === 1
        : operation === 'delete'
          ? now === null
          : now === 2;
    if (!effect) got = `allowed without its effect (read back ${JSON.stringify(readBack)?.slice(0, 80)}, now ${now})`;
  } else if ((await entry.state()) !== before) {
    got = `${outcome}, but something was written`;
  }
  if ((await entry.current(twin)) !== 1) got = `${got}; the other-case item ${twin} changed`;
  return got === want ? undefined : describe(got);
}

/** A database the matrix writes to, with every entry point over it (and its own files directory). */
interface Lane {
  database: TestDatabase;
  entries: EntryPoint[];
}

// On PostgreSQL, each lane is a schema of its own and the lanes run side by side: a cell's "nothing was
// written" and "no refusal recorded" checks read its lane only, where cells run one at a time. The CLI
// opens a store per call (~150 ms: new connections, the migration check): in one lane, cli --as alone took 30 s.
// PGlite is one connection in this process: one lane, every cell in turn, as before.
const laneCount = backend === 'postgres' ? itemKinds.length : 1;

let work: string;
let lanes: Lane[] = [];

async function openLane(index: number): Promise<Lane> {
  const database = await createTestDatabase(`access_matrix_${index}`);
  const store = await database.open();
  const dir = join(work, `lane-${index}`);
  await mkdir(dir);
  // the CLI opens its own store on the same database: a schema on PostgreSQL; an in-memory PGlite cannot be shared
  const cli = backend === 'postgres' ? { targetArgs: ['--db', databaseUrl(), '--schema', database.schema] } : undefined;
  const entries = [...(await databaseEntryPoints(database, store, dir, { cli })), await fileEntryPoint(join(dir, 'files'))];
  return { database, entries };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'metaledger-matrix-'));
  lanes = await Promise.all(Array.from({ length: laneCount }, (_, index) => openLane(index)));
});
afterAll(async () => {
  for (const lane of lanes) {
    for (const entry of lane.entries) await entry.close();
    await lane.database.dispose();
  }
  await rm(work, { recursive: true, force: true });
});

/**
 * Runs an entry's cells on every lane: the cells of one item kind and principal stay together, in
 * order, on one lane (they share the victim their look-alike names aim at); each lane runs its groups
 * one after the other. Returns every mismatch.
 */
async function runOnLanes(name: string, cells: Cell[]): Promise<string[]> {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    const key = `${cell.kind}|${cell.principal}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const queues = lanes.map(() => [] as Cell[]);
  [...groups.values()].forEach((group, i) => queues[i % lanes.length].push(...group));
  const found = await Promise.all(
    queues.map(async (queue, i) => {
      const entry = lanes[i].entries.find((candidate) => candidate.name === name)!;
      const victims = new Map<string, { item: CellItem; etag: string }>();
      const mismatches: string[] = [];
      for (const cell of queue) {
        const mismatch = await runCell(cell, entry, victims);
        if (mismatch) mismatches.push(mismatch);
      }
      return mismatches;
    }),
  );
  return found.flat();
}

const entryNames = ['store', 'driver', 'database loader', 'file loader', 'service', 'http', 'import / export'];
if (backend === 'postgres') entryNames.push('cli', 'cli --as (import / export)');

const checked: Record<string, number> = {};

describe('access matrix: every item kind × principal × operation × name variant, per entry point', () => {
  it.each(entryNames)('%s', async (name) => {
    const entry = lanes[0].entries.find((candidate) => candidate.name === name)!;
    const cells = cellsOf(entry);
    const mismatches = await runOnLanes(name, cells);
    checked[name] = cells.length;
    expect(mismatches).toEqual([]);
    expect(cells.length).toBeGreaterThanOrEqual(entry.checksAccess ? 100 : 60);
  });

  it('checked every cell it generated, and every row of the documented table', () => {
    const total = Object.values(checked).reduce((sum, n) => sum + n, 0);
    console.info(`access matrix (${backend}): ${total} cells`, checked);
    expect(Object.keys(checked)).toEqual(entryNames);
    expect(table.size).toBe(itemKinds.length * principalKinds.length * operations.length);
  });
});
