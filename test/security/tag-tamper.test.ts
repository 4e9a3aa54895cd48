import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { internalsOf } from '../../src/store/metadata-store.js';
import type { MetadataStore } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

// Tampering with release tags behind the store's back, as someone with write access to the database
// would: each scenario edits the tags, verify() must report a tag_mismatch naming the tag, and the tags
// are put back before the next one.

let database: TestDatabase;
let store: MetadataStore;

beforeAll(async () => {
  database = await createTestDatabase('tag_tamper');
  store = await database.open();
  await store.save('object', { name: 'a', metadata: { n: 1 } });
  await store.tag('v1', { message: 'first' });
  await store.save('object', { name: 'a', metadata: { n: 2 } });
  await store.tag('v2', { message: 'second' });
  await store.save('object', { name: 'a', metadata: { n: 3 } });
  await store.tag('v3', { message: 'third' });
});
afterAll(() => database.dispose());

beforeEach(async () => {
  expect((await store.verify()).ok).toBe(true);
});

/** Applies the edit for good, checks verify's findings, then puts the tags back as they were. */
async function detected(edit: string): Promise<string[]> {
  const saved = await database.query<Record<string, unknown>>('SELECT * FROM metadata_tags ORDER BY seq');
  const receipts = await database.query<Record<string, unknown>>("SELECT * FROM metadata_changesets WHERE source = 'tag'");
  await internalsOf(store).datasource.withScriptTransaction((exec) => exec(`SET LOCAL session_replication_role = replica; ${edit}`));
  const report = await store.verify();
  await internalsOf(store).datasource.withScriptTransaction(async (exec) => {
    await exec('SET LOCAL session_replication_role = replica; DELETE FROM metadata_tags');
    await exec("DELETE FROM metadata_changesets WHERE source = 'tag'");
  });
  for (const row of receipts)
    await database.query(
      'INSERT INTO metadata_changesets (id, actor, reason, correlation_id, source, event_count, created_at, target, hash_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
      [row.id, row.actor, row.reason, row.correlation_id, row.source, row.event_count, row.created_at, row.target, row.hash_version],
    );
  for (const row of saved)
    await database.query(
      'INSERT INTO metadata_tags (seq, name, position, log_hash, message, actor, changeset_id, created_at, prev_hash, hash) OVERRIDING SYSTEM VALUE VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)',
      [row.seq, row.name, row.position, row.log_hash, row.message, row.actor, row.changeset_id, row.created_at, row.prev_hash, row.hash],
    );
  expect(report.problems.every((problem) => problem.kind === 'tag_mismatch')).toBe(true);
  return report.problems.map((problem) => problem.detail);
}

describe('verify() finds tampered tags', () => {
  it('a moved tag', async () => {
    expect(await detected(`UPDATE metadata_tags SET position = position - 1 WHERE name = 'v2'`)).toEqual([
      expect.stringMatching(/tag "v2": the tag does not match its hash.*its changeset is missing or names another tag or position/),
    ]);
  });

  it('a moved tag whose hash was recomputed (the careful attacker)', async () => {
    const problems = await detected(
      `UPDATE metadata_tags SET position = position - 1 WHERE name = 'v2';
       UPDATE metadata_tags SET hash = metadata_tag_hash(prev_hash, name, position, log_hash, message, actor, changeset_id, created_at) WHERE name = 'v2'`,
    );
    expect(problems.join('\n')).toMatch(/tag "v2": .*the log at its position is not the one tagged/);
    expect(problems.join('\n')).toMatch(/tag "v3": prev_hash does not match the previous tag/);
  });

  it('an edited message', async () => {
    expect(await detected(`UPDATE metadata_tags SET message = 'rewritten' WHERE name = 'v1'`)).toEqual([
      expect.stringMatching(/tag "v1": the tag does not match its hash \(edited\)$/),
    ]);
  });

  it('a deleted tag, the last one or one in the middle', async () => {
    expect(await detected(`DELETE FROM metadata_tags WHERE name = 'v3'`)).toEqual([
      expect.stringMatching(/tag "v3": the changeset records a tag that is gone/),
    ]);
    const middle = await detected(`DELETE FROM metadata_tags WHERE name = 'v2'`);
    expect(middle.join('\n')).toMatch(/tag "v3": prev_hash does not match the previous tag/);
    expect(middle.join('\n')).toMatch(/tag "v2": the changeset records a tag that is gone/);
  });

  it('a renamed tag', async () => {
    expect((await detected(`UPDATE metadata_tags SET name = 'v9' WHERE name = 'v1'`)).join('\n')).toMatch(
      /tag "v9": the tag does not match its hash/,
    );
  });
});
