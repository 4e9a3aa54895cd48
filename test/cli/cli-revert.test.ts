import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';

// `metaledger revert`, run in-process through main(argv, io); the log is seeded in-process.

let target: CliTarget;
const cli = (...args: string[]) => target.cli(args);
/** The changesets the tests revert. */
const changesets = { rename: '', clash: '', bobs: '' };

const countEvents = async () => (await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM metadata_events`))[0].n;
const metadataOf = async (name: string) =>
  (await target.query<{ metadata: unknown }>(`SELECT metadata FROM _framework_metadata WHERE name = $1`, [name]))[0]?.metadata;

beforeAll(async () => {
  target = await createCliTarget('cli_revert');
  await target.withStore(async (store) => {
    await store.save('object', { name: 'account', metadata: { label: 'Account', size: 1 } }, { actor: 'alice' });
    changesets.rename = (
      await store.save('object', { name: 'account', metadata: { label: 'Customer', size: 1 } }, { actor: 'bob' })
    ).changesetId!;
    await store.save('object', { name: 'account', metadata: { label: 'Customer', size: 2 } }, { actor: 'alice' });
    await store.save('object', { name: 'lead', metadata: { stage: 'new' } }, { actor: 'alice' });
    changesets.clash = (await store.save('object', { name: 'lead', metadata: { stage: 'open' } }, { actor: 'alice' })).changesetId!;
    await store.save('object', { name: 'lead', metadata: { stage: 'won' } }, { actor: 'alice' });
    changesets.bobs = (
      await store.save('object', { name: 'bobs', scope: 'user', owner: 'bob', metadata: {} }, { actor: 'bob' })
    ).changesetId!;
  });
});
afterAll(() => target?.dispose());

describe('metaledger revert', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const before = await countEvents();
    const { code, stdout } = await cli('revert', changesets.rename, '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^ACTION +ITEM +FROM VERSION +CHANGES +CONFLICTS\nrevert +object\/account +3 +1 field changed: \/metadata\/label +0\n/,
    );
    expect(stdout).toContain('dry run: nothing written');
    expect(await countEvents()).toBe(before);
  });

  it('needs a reason and a changeset id, checked before the database is opened', async () => {
    expect(await cli('revert', changesets.rename)).toMatchObject({ code: 2, stderr: expect.stringContaining('missing option --reason') });
    expect(await cli('revert', 'nope', '--reason', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('must be a UUID') });
    expect(await cli('revert', changesets.rename, '--reason', 'x', '--on-conflict', 'merge')).toMatchObject({ code: 2 });
    expect(await cli('revert', randomUUID(), '--reason', 'x')).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(/^error \[NOT_FOUND\]/),
    });
  });

  it('reverts the changeset as a new one recording the actor, the reason and what it reverts; a second time is CONFLICT', async () => {
    const { code, stdout } = await cli('revert', changesets.rename, '--actor', 'erin', '--reason', 'the rename broke reports');
    expect(code).toBe(0);
    const revertId = /reverted changeset [0-9a-f-]{36}: 1 item changed in changeset ([0-9a-f-]{36})$/m.exec(stdout)?.[1];
    expect(revertId).toBeDefined();
    expect(await metadataOf('account')).toEqual({ label: 'Account', size: 2 });
    const [changeset] = await target.query(`SELECT actor, reason, source, target FROM metadata_changesets WHERE id = $1`, [revertId]);
    expect(changeset).toEqual({
      actor: 'erin',
      reason: 'the rename broke reports',
      source: 'revert',
      target: { revertOf: changesets.rename },
    });
    const again = await cli('revert', changesets.rename, '--reason', 'again');
    expect(again).toMatchObject({ code: 5, stderr: expect.stringContaining(`already reverted by changeset ${revertId}`) });
  });

  it('refuses a conflicting revert with exit 5, shows the conflicts in a dry run, and resolves them with --on-conflict', async () => {
    const before = await countEvents();
    const refused = await cli('revert', changesets.clash, '--reason', 'undo');
    expect(refused).toMatchObject({ code: 5, stderr: expect.stringContaining('object/lead /metadata/stage') });
    expect(await countEvents()).toBe(before);
    const { stdout } = await cli('revert', changesets.clash, '--dry-run');
    expect(stdout).toMatch(/conflicts \(resolved: refuse\):\nITEM +PATH +NOW +RESTORING\nobject\/lead +\/metadata\/stage +"won" +"new"/);
    const json = JSON.parse((await cli('--json', 'revert', changesets.clash, '--dry-run', '--on-conflict', 'skip')).stdout);
    expect(json).toMatchObject({
      dryRun: true,
      onConflict: 'skip',
      conflicts: [{ path: '/metadata/stage', current: 'won', restoring: 'new' }],
    });
    expect(await cli('revert', changesets.clash, '--reason', 'undo', '--on-conflict', 'overwrite')).toMatchObject({ code: 0 });
    expect(await metadataOf('lead')).toEqual({ stage: 'new' });
  });

  it('checks the access rules as --as: alice may not revert bob’s item, bob may', async () => {
    expect(await cli('revert', changesets.bobs, '--dry-run', '--as', 'alice')).toMatchObject({
      code: 6,
      stderr: expect.stringContaining('alice may not revert changeset'),
    });
    expect(await cli('revert', changesets.bobs, '--reason', 'mine', '--as', 'bob')).toMatchObject({ code: 0 });
    expect(await metadataOf('bobs')).toBeUndefined();
  });
});
