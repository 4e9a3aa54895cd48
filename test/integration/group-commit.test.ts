import { inlineProjectionCtes } from '../../projections/framework-metadata.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import type { MetadataStore } from '../../src/index.js';
import type { SqlRunner } from '../../src/datasource/sql-runner.js';
import { buildAppendStatement, type ChangesetInfo, type PendingEvent } from '../../src/events/append-events.js';
import type { ItemDocument } from '../../src/events/document.js';
import { nextEvent } from '../../src/events/next-event.js';
import { readStreamHead } from '../../src/events/read-stream-head.js';
import { AppendBatcher } from '../../src/write/append-batcher.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { waitFor } from '../helpers/wait-for.js';

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('group_commit');
  store = await database.open({ groupCommit: { statementsInFlight: 1 } });
});
afterAll(() => database.dispose());

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function versionsOf(type: string, name: string): Promise<number[]> {
  const rows = await database.query<{ version: number }>(
    `SELECT version FROM metadata_events WHERE type = $1 AND name = $2 ORDER BY version`,
    [type, name],
  );
  return rows.map((row) => Number(row.version));
}

async function transactionsOf(type: string, version: number): Promise<number> {
  const [row] = await database.query<{ n: number }>(
    `SELECT count(DISTINCT tx_id)::int AS n FROM metadata_events WHERE type = $1 AND version = $2`,
    [type, version],
  );
  return Number(row.n);
}

describe('group commit of concurrent saves', () => {
  const writers = 64;

  it('concurrent saves on distinct items share append statements, each with its own changeset, actor and versions', async () => {
    const created = await Promise.all(
      range(writers).map((i) =>
        store.save('grouped', { name: `item_${i}`, metadata: { i } }, { expectedVersion: 0, actor: `writer-${i}` }),
      ),
    );
    expect(created.every((result) => result.created && result.version === 1)).toBe(true);
    const updated = await Promise.all(
      range(writers).map((i) => store.save('grouped', { name: `item_${i}`, metadata: { i, updated: true } }, { actor: `editor-${i}` })),
    );
    expect(updated.every((result) => result.version === 2)).toBe(true);

    // fewer transactions than saves: statements carried several saves
    expect(await transactionsOf('grouped', 1)).toBeLessThan(writers);
    expect(await transactionsOf('grouped', 2)).toBeLessThan(writers);
    for (const i of range(writers)) expect(await versionsOf('grouped', `item_${i}`)).toEqual([1, 2]);

    const changesets = await database.query<{ name: string; version: number; actor: string; event_count: number }>(
      `SELECT e.name, e.version, c.actor, c.event_count FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id WHERE e.type = 'grouped'`,
    );
    expect(changesets).toHaveLength(2 * writers);
    for (const row of changesets) {
      expect(Number(row.event_count)).toBe(1);
      expect(row.actor).toBe(`${Number(row.version) === 1 ? 'writer' : 'editor'}-${row.name.slice('item_'.length)}`);
    }
    const projected = await database.query<{ name: string; created_by: string; updated_by: string; version: number }>(
      `SELECT name, created_by, updated_by, version FROM _framework_metadata WHERE type = 'grouped'`,
    );
    expect(projected).toHaveLength(writers);
    for (const row of projected) {
      const i = row.name.slice('item_'.length);
      expect(row).toMatchObject({ created_by: `writer-${i}`, updated_by: `editor-${i}`, version: 2 });
    }
  });
});

describe('the append batcher', () => {
  /** The events of each statement sent, in order. */
  let sent: string[][];
  let batcher: AppendBatcher;

  beforeAll(() => {
    const run: SqlRunner = (text, parameters) => {
      sent.push((JSON.parse(parameters[0] as string) as PendingEvent[]).map((event) => `${event.name}@${event.version}`));
      return internalsOf(store).datasource.prepared(text, parameters);
    };
    const statement = buildAppendStatement({
      inlineProjection: inlineProjectionCtes(internalsOf(store).settings.table),
      notice: { schema: internalsOf(store).datasource.schema, origin: 'batcher-test' },
    });
    batcher = new AppendBatcher(run, statement, { statementsInFlight: 1, eventsPerStatement: 100 });
  });

  const changeset = (): ChangesetInfo => ({ id: crypto.randomUUID(), source: 'api', actor: 'batcher-test' });

  async function plannedUpdate(name: string, options: { versionsBehind?: number } = {}): Promise<PendingEvent> {
    const head = (await readStreamHead(store.db, 'batched', name))!;
    const stale = { ...head, version: head.version - (options.versionsBehind ?? 0) };
    const document = { ...head.document, metadata: { ...head.document!.metadata, touched: true } } as ItemDocument;
    return nextEvent(stale, 'batched', name, 'updated', document, internalsOf(store).snapshotPolicy);
  }

  async function seed(names: string[]): Promise<void> {
    for (const name of names) await store.save('batched', { name, metadata: {} }, { expectedVersion: 0 });
  }

  it('a changeset that conflicts inside a group fails alone; the others of its statement land', async () => {
    await seed(['g_blocker', 'g_a', 'g_b', 'g_c', 'g_d']);
    await store.save('batched', { name: 'g_b', metadata: { moved: true } });
    sent = [];
    const notified: string[] = [];
    const listener = await internalsOf(store).datasource.listen!(
      'metaledger_changes',
      // the channel is the whole server's: other test files write meanwhile
      (payload) => (JSON.parse(payload) as { o?: string }).o === 'batcher-test' && notified.push(payload),
      () => {},
    );
    const [blocker, a, b, c] = await Promise.all([
      plannedUpdate('g_blocker'),
      plannedUpdate('g_a'),
      plannedUpdate('g_b', { versionsBehind: 1 }),
      plannedUpdate('g_c'),
    ]);
    // the blocker's statement runs alone; a, b and c queue behind it and go out together
    const outcomes = await Promise.allSettled([blocker, a, b, c].map((event) => batcher.append(changeset(), [event])));
    await waitFor(() => notified.length >= 3, 'the notifications of the statements that committed');
    await listener.stop();

    expect(sent).toEqual([['g_blocker@2'], ['g_a@2', 'g_b@2', 'g_c@2'], ['g_a@2'], ['g_b@2'], ['g_c@2']]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'ML409' });
    expect(await versionsOf('batched', 'g_a')).toEqual([1, 2]);
    expect(await versionsOf('batched', 'g_b')).toEqual([1, 2]);
    expect(await versionsOf('batched', 'g_c')).toEqual([1, 2]);
    const [{ n }] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_changesets WHERE actor = 'batcher-test'`);
    expect(Number(n)).toBe(3);
    // a statement that failed sent nothing: only the three that committed notified, each of its own item
    const items = notified.map((payload) => (JSON.parse(payload) as { k: string[][] }).k.map(([, name]) => name).join());
    expect(items.sort()).toEqual(['g_a', 'g_blocker', 'g_c']);
  });

  it('two changesets of one item never share a statement; one planned on a replaced version fails as a conflict without being sent', async () => {
    await seed(['s_blocker', 's_x']);
    sent = [];
    const [blocker, first, second] = await Promise.all([plannedUpdate('s_blocker'), plannedUpdate('s_x'), plannedUpdate('s_x')]);
    const outcomes = await Promise.allSettled([blocker, first, second].map((event) => batcher.append(changeset(), [event])));

    expect(sent).toEqual([['s_blocker@2'], ['s_x@2']]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'ML409' });
    expect(await versionsOf('batched', 's_x')).toEqual([1, 2]);
  });
});
