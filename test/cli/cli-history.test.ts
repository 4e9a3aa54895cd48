import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';

// Every history command, run in-process through main(argv, io). The log is seeded in-process (far faster than one CLI run per
// write); the CLI's own writes are the rollback and the restore under test.

let target: CliTarget;
const cli = (...args: string[]) => target.cli(args);

/** The moments the tests travel to, read back from the log after seeding. */
const at = { accountV2: '', accountV3: '', ghostDeleted: '', beforeRestorableChanges: '', longV6: '' };
let accountV1Position = 0;

const countEvents = async () => (await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_events`))[0].n;

/** Table rows (header dropped) split into cells on runs of whitespace. */
const cellsOf = (table: string) =>
  table
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/));

beforeAll(async () => {
  target = await createCliTarget('cli_history');
  // recorded_at has millisecond precision: pauses keep the moments the tests name apart
  const pause = () => sleep(5);
  await target.withStore(async (store) => {
    await store.save(
      'object',
      { name: 'account', metadata: { label: 'Account', fields: { amount: { label: 'Amount' } } } },
      { actor: 'alice', reason: 'create' },
    );
    await pause();
    await store.save(
      'object',
      { name: 'account', metadata: { label: 'Account', fields: { amount: { label: 'Total' }, tax: { label: 'Tax' } } } },
      { actor: 'bob', reason: 'rename' },
    );
    await pause();
    await store.save(
      'object',
      { name: 'account', metadata: { label: 'Account', fields: { amount: { label: 'Total' }, tax: { label: 'Tax' } }, x: 1 } },
      { actor: 'alice', reason: 'bump' },
    );
    await store.save('object', { name: 'ghost', metadata: { boo: true } }, { actor: 'alice' });
    await pause();
    await store.delete('object', 'ghost', { actor: 'alice' });

    for (const name of ['kept', 'modified', 'removed']) await store.save('restorable', { name, namespace: 'r', metadata: { v: 1 } });
    await pause();
    await store.save('restorable', { name: 'modified', metadata: { v: 2 } });
    await store.delete('restorable', 'removed');
    await store.save('restorable', { name: 'added', namespace: 'r', metadata: { v: 1 } });

    for (let i = 1; i <= 8; i++) {
      await pause();
      await store.save('old', { name: 'long', metadata: { i } });
    }

    const eventOf = async (type: string, name: string, version: number) =>
      (await store.history(type, name)).events.find((event) => event.version === version)!;
    at.accountV2 = (await eventOf('object', 'account', 2)).recordedAt;
    at.accountV3 = (await eventOf('object', 'account', 3)).recordedAt;
    at.ghostDeleted = (await eventOf('object', 'ghost', 2)).recordedAt;
    at.beforeRestorableChanges = (await eventOf('restorable', 'removed', 1)).recordedAt;
    at.longV6 = (await eventOf('old', 'long', 6)).recordedAt;
    accountV1Position = (await eventOf('object', 'account', 1)).position;
  });
});

afterAll(() => target?.dispose());

describe('metaledger history', () => {
  it('lists an item’s events newest first as a table with who, why and a summary', async () => {
    const { code, stdout, stderr } = await cli('history', 'object', 'account');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+KIND\s+WHEN\s+ACTOR\s+REASON\s+SUMMARY$/);
    expect(
      cellsOf(stdout)
        .slice(0, 3)
        .map(([version, kind, , actor, reason]) => [version, kind, actor, reason]),
    ).toEqual([
      ['3', 'updated', 'alice', 'bump'],
      ['2', 'updated', 'bob', 'rename'],
      ['1', 'created', 'alice', 'create'],
    ]);
    expect(lines[1]).toMatch(/1 field changed: \/metadata\/x$/);
    expect(lines[2]).toContain(at.accountV2);
    expect(lines[2]).toMatch(/2 fields changed: \/metadata\/fields\/amount\/label, \/metadata\/fields\/tax$/);
    expect(lines.at(-1)).toBe('events 1–3 of 3');
  });

  it('filters by actor and kinds and pages with --limit / --offset (--json)', async () => {
    const { code, stdout } = await cli(
      'history',
      'object',
      'account',
      '--actor',
      'alice',
      '--kinds',
      'created,updated',
      '--limit',
      '1',
      '--offset',
      '1',
      '--json',
    );
    expect(code).toBe(0);
    const page = JSON.parse(stdout);
    expect(page).toMatchObject({ total: 2, hasMore: false });
    expect(page.events.map((event: { version: number }) => event.version)).toEqual([1]);
    expect(page.events[0]).toMatchObject({
      kind: 'created',
      actor: 'alice',
      reason: 'create',
      summary: expect.stringMatching(/^created with/),
    });
  });

  it('filters by --since / --until (inclusive) and tells where the next page starts', async () => {
    const inWindow = await cli('history', 'object', 'account', '--since', at.accountV2, '--until', at.accountV3, '--limit', '1');
    expect(inWindow.code).toBe(0);
    const lines = inWindow.stdout.trimEnd().split('\n');
    expect(lines.slice(1, -1).map((line) => line.split(/\s+/)[0])).toEqual(['3']);
    expect(lines.at(-1)).toBe('events 1–1 of 2; next page: --offset 1');

    const typo = await cli('history', 'object', 'account', '--since', 'last tuesday');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^error: --since must be an ISO 8601 date-time, got 'last tuesday'\n\nusage: metaledger history <type> <name>/,
    );
  });
});

describe('metaledger show', () => {
  it('prints the item as it was at a version', async () => {
    const { code, stdout } = await cli('show', 'object', 'account', '--version', '2');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^object\/account v2\n/);
    expect(stdout).toMatch(new RegExp(`^updated\\s+${at.accountV2}$`, 'm'));
    expect(stdout).toContain('"label": "Total"');
    expect(stdout).not.toContain('"x"');
  });

  it('at a log position (--json)', async () => {
    const { code, stdout } = await cli('show', 'object', 'account', '--position', String(accountV1Position), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'exists',
      version: 1,
      document: { metadata: { fields: { amount: { label: 'Amount' } } } },
    });
  });

  it('says "was deleted at version N" and "did not exist yet", exiting 0: they are answers', async () => {
    expect(await cli('show', 'object', 'ghost', '--version', '2')).toEqual({
      code: 0,
      stdout: `object/ghost was deleted at version 2 (${at.ghostDeleted})\n`,
      stderr: '',
    });
    expect(await cli('show', 'object', 'ghost', '--at', '1970-01-01T00:00:00Z')).toEqual({
      code: 0,
      stdout: 'object/ghost did not exist yet at 1970-01-01T00:00:00.000Z\n',
      stderr: '',
    });
  });

  it('needs exactly one moment', async () => {
    const both = await cli('show', 'object', 'account', '--version', '1', '--at', at.accountV2);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'error: give exactly one of --version, --at, --position\n\nusage: metaledger show <type> <name> --version n | --at ISO | --position p\n',
    );
  });
});

describe('metaledger diff', () => {
  it('prints the RFC 6902 operations one per line and the summary', async () => {
    const { code, stdout } = await cli('diff', 'object', 'account', '1', '3');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('object/account: v1 → v3');
    expect(lines.slice(1, -1).sort()).toEqual([
      '  add /metadata/fields/tax {"label":"Tax"}',
      '  add /metadata/x 1',
      '  replace /metadata/fields/amount/label "Total"',
    ]);
    expect(lines.at(-1)).toMatch(/^3 fields changed: /);
  });

  it('takes timestamps on either side (--json), and says identical when equal', async () => {
    const byTime = await cli('diff', 'object', 'account', '1970-01-01T00:00:00Z', at.accountV3, '--json');
    expect(byTime.code).toBe(0);
    expect(JSON.parse(byTime.stdout)).toMatchObject({
      from: { status: 'not_yet_created' },
      to: { status: 'exists', version: 3 },
      identical: false,
    });
    expect(await cli('diff', 'object', 'account', '3', at.accountV3)).toEqual({
      code: 0,
      stdout: 'object/account: v3 → v3\nidentical\n',
      stderr: '',
    });
  });
});

describe('metaledger blame', () => {
  it('names, per field, the version, actor, time and reason that last set it', async () => {
    const { code, stdout } = await cli('blame', 'object', 'account');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^POINTER\s+VALUE\s+VERSION\s+ACTOR\s+WHEN\s+REASON\n/);
    const rows = new Map(cellsOf(stdout).map(([pointer, ...rest]) => [pointer, rest]));
    expect(rows.get('/metadata/fields/amount/label')).toEqual(['"Total"', '2', 'bob', at.accountV2, 'rename']);
    expect(rows.get('/metadata/x')).toEqual(['1', '3', 'alice', at.accountV3, 'bump']);
    expect(rows.get('/name')?.slice(0, 3)).toEqual(['"account"', '1', 'alice']);
  });
});

describe('metaledger rollback', () => {
  it('refuses a stale --expected-version with CONFLICT and writes nothing', async () => {
    const before = await countEvents();
    expect(await cli('rollback', 'object', 'account', '1', '--expected-version', '2')).toEqual({
      code: 5,
      stdout: '',
      stderr: 'error [CONFLICT]: object/account: expected version 2 but it is at version 3\n',
    });
    expect(await countEvents()).toBe(before);
  });

  it('makes the item what it was, as a rolled_back event recording the CLI’s actor and reason', async () => {
    expect(await cli('rollback', 'object', 'account', '1', '--expected-version', '3', '--actor', 'erin', '--reason', 'bad rename')).toEqual(
      {
        code: 0,
        stdout: 'rolled back object/account to version 1: now v4\n',
        stderr: '',
      },
    );
    const [event] = await target.query(
      `SELECT e.version, e.kind, c.actor, c.reason, c.source, p.metadata AS now
       FROM metadata_events e JOIN metadata_changesets c ON c.id = e.changeset_id JOIN _framework_metadata p ON p.type = e.type AND p.name = e.name
       WHERE e.type = 'object' AND e.name = 'account' ORDER BY e.version DESC LIMIT 1`,
    );
    expect(event).toEqual({
      version: 4,
      kind: 'rolled_back',
      actor: 'erin',
      reason: 'bad rename',
      source: 'rollback',
      now: { label: 'Account', fields: { amount: { label: 'Amount' } } },
    });
  });
});

describe('metaledger restore', () => {
  const restoreArgs = () => ['restore', '--at', at.beforeRestorableChanges, '--types', 'restorable'];

  it('--dry-run prints the plan and writes nothing', async () => {
    const before = await countEvents();
    const { code, stdout } = await cli(...restoreArgs(), '--dry-run');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACTION\s+ITEM\s+FROM VERSION\s+CHANGES$/);
    expect(
      lines
        .slice(1, -1)
        .map((line) => line.split(/\s{2,}/))
        .sort(),
    ).toEqual([
      ['delete', 'restorable/added', '1', 'deleted'],
      ['recreate', 'restorable/removed', '2', expect.stringMatching(/^created with \d+ fields$/)],
      ['revert', 'restorable/modified', '2', '1 field changed: /metadata/v'],
    ]);
    expect(lines.at(-1)).toBe('dry run: nothing written');
    expect(await countEvents()).toBe(before);
  });

  it('restores the slice in one changeset recording the CLI’s actor and reason', async () => {
    const { code, stdout } = await cli(...restoreArgs(), '--actor', 'ops', '--reason', 'incident 42');
    expect(code).toBe(0);
    const changesetId = /^restored 3 items in changeset ([0-9a-f-]{36})$/m.exec(stdout)?.[1];
    expect(changesetId).toBeDefined();
    const [changeset] = await target.query(`SELECT event_count, source, actor, reason FROM metadata_changesets WHERE id = $1`, [
      changesetId,
    ]);
    expect(changeset).toEqual({ event_count: 3, source: 'restore', actor: 'ops', reason: 'incident 42' });
    const rows = await target.query<{ name: string; metadata: unknown }>(
      `SELECT name, metadata FROM _framework_metadata WHERE type = 'restorable' ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'kept', metadata: { v: 1 } },
      { name: 'modified', metadata: { v: 1 } },
      { name: 'removed', metadata: { v: 1 } },
    ]);
  });

  it('refuses a position inside a changeset with VALIDATION', async () => {
    const [{ first }] = await target.query<{ first: number }>(
      `SELECT min(position)::int AS first FROM metadata_events WHERE changeset_id = (SELECT changeset_id FROM metadata_events GROUP BY changeset_id HAVING count(*) = 3 LIMIT 1)`,
    );
    const inside = await cli('restore', '--position', String(first), '--dry-run');
    expect(inside.code).toBe(3);
    expect(inside.stderr).toMatch(
      new RegExp(`^error \\[VALIDATION\\]: invalid restore point\\n {2}position: position ${first} falls inside changeset `),
    );
  });
});

/**
 * The feed shows a transaction only once every older one on the server has ended (so a cursor never
 * skips a late commit); on a busy shared server that takes a moment. Waits until it shows `count` events.
 */
async function feedShows(types: string[], count: number): Promise<void> {
  await target.withStore(async (store) => {
    const deadline = Date.now() + 30_000;
    while ((await store.changes({ types, limit: 1000 })).events.length < count) {
      if (Date.now() > deadline) throw new Error(`the changes feed did not show ${count} events of ${types.join(', ')} within 30 s`);
      await sleep(100);
    }
  });
}

describe('metaledger changes', () => {
  it('pages the store-wide feed in commit order with a cursor', async () => {
    await feedShows(['restorable'], 9); // 6 seeded, 3 restored
    const first = await cli('changes', '--types', 'restorable', '--limit', '4');
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ITEM\s+VERSION\s+KIND\s+WHEN\s+ACTOR\s+REASON\s+SUMMARY$/);
    expect(
      cellsOf(first.stdout)
        .slice(0, 4)
        .map(([item, version, kind]) => `${item} ${version} ${kind}`),
    ).toEqual([
      'restorable/kept 1 created',
      'restorable/modified 1 created',
      'restorable/removed 1 created',
      'restorable/modified 2 updated',
    ]);
    const cursor = /^next cursor: (\d+:\d+) \(more changes follow\)$/.exec(lines.at(-1)!)?.[1];
    expect(cursor).toBeDefined();

    const rest = JSON.parse((await cli('changes', '--types', 'restorable', '--after', cursor!, '--json')).stdout);
    expect(rest.hasMore).toBe(false);
    expect(
      rest.events
        .map((event: { name: string; version: number; kind: string }) => `${event.name} ${event.version} ${event.kind}`)
        .slice(0, 2),
    ).toEqual(['removed 2 deleted', 'added 1 created']);
    const restored = rest.events.slice(2);
    expect(restored.map((event: { name: string }) => event.name).sort()).toEqual(['added', 'modified', 'removed']);
    expect(new Set(restored.map((event: { actor: string; source: string }) => `${event.actor}/${event.source}`))).toEqual(
      new Set(['ops/restore']),
    );
    expect(rest.nextCursor).toBe(rest.events.at(-1).cursor);
  });
});

describe('metaledger prune and verify', () => {
  it('prunes old events; a pruned version then gives HISTORY_PRUNED and the log still verifies', async () => {
    // before v6 of old/long, keeping 4 versions of every item: only versions 1..4 of old/long go
    const pruned = await cli('prune', '--before', at.longV6, '--keep-versions', '4');
    expect(pruned).toEqual({
      code: 0,
      stdout: `pruned 4 events of 1 item recorded before ${at.longV6} (keeping at least 4 versions of each)\n`,
      stderr: '',
    });
    const versions = await target.query<{ version: number }>(`SELECT version FROM metadata_events WHERE name = 'long' ORDER BY version`);
    expect(versions.map((row) => row.version)).toEqual([5, 6, 7, 8]);

    expect(await cli('show', 'old', 'long', '--version', '2')).toEqual({
      code: 10,
      stdout: '',
      stderr: 'error [HISTORY_PRUNED]: old/long: history before version 2 was pruned; it now starts at version 4\n',
    });

    const verified = await cli('verify');
    expect(verified).toEqual({ code: 0, stdout: expect.stringMatching(/^OK: \d+ events of 7 items verified\n$/), stderr: '' });
  });

  it('anchor prints an anchor that verify --anchor checks; a bad anchor is VALIDATION', async () => {
    const anchored = await cli('anchor');
    expect(anchored).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^\{"position":\d+,"eventCount":\d+,"hash":"[0-9a-f]{64}"\}\n$/),
      stderr: '',
    });
    const anchor = anchored.stdout.trim();
    expect(await cli('verify', '--anchor', anchor)).toMatchObject({ code: 0, stdout: expect.stringContaining('matches the anchor') });
    const forged = anchor.replace(/"eventCount":(\d+)/, (_, n) => `"eventCount":${Number(n) + 1}`);
    const mismatch = await cli('verify', '--anchor', forged);
    expect(mismatch.code).toBe(11);
    expect(cellsOf(mismatch.stdout).map(([kind]) => kind)).toEqual(['anchor_mismatch']);
    expect(await cli('verify', '--anchor', 'not json')).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/VALIDATION.*anchor/),
    });
  });

  it('exits 11 (INTEGRITY) and lists each problem after an event row was edited with raw SQL', async () => {
    await target.query(
      `UPDATE metadata_events SET patch = '[{"op":"replace","path":"/metadata/i","value":99}]' WHERE name = 'long' AND version = 7`,
    );
    const { code, stdout, stderr } = await cli('verify');
    expect(code).toBe(11);
    expect(stdout).toMatch(/^KIND\s+ITEM\s+VERSION\s+DETAIL\n/);
    expect(cellsOf(stdout).map(([kind, item, version]) => `${kind} ${item} ${version}`)).toEqual(['hash_mismatch old/long 7']);
    expect(stdout).toContain('event content does not match its hash (edited)');
    expect(stderr).toBe('error [INTEGRITY]: 1 integrity problem found\n');
  });
});
