import { CompiledQuery } from 'kysely';
import type { MetaledgerDb } from '../../datasource/database-schema.js';
import type { IntegrityProblem } from '../../history/integrity-problem.js';
import type { VerifyReport } from '../../history/verify.js';

/**
 * Per tag: its hash against its content, its link to the previous tag, its log hash against the event
 * now at its position, and its changeset; then the tag changesets whose tag is gone.
 */
const tagChecks = `
  WITH checked AS (
    SELECT t.seq, t.name, t.position, t.changeset_id,
           t.hash IS DISTINCT FROM metadata_tag_hash(t.prev_hash, t.name, t.position, t.log_hash, t.message, t.actor, t.changeset_id, t.created_at) AS edited,
           t.prev_hash IS DISTINCT FROM lag(t.hash) OVER (ORDER BY t.seq) AS unlinked,
           t.log_hash IS DISTINCT FROM (
             SELECT l.hash FROM (SELECT position, hash FROM metadata_events WHERE position <= t.position
                                 UNION ALL SELECT position, hash FROM metadata_pruned_events WHERE position <= t.position) l
             ORDER BY l.position DESC LIMIT 1) AS moved,
           c.id IS NULL OR c.source <> 'tag' OR c.target->>'tag' IS DISTINCT FROM t.name
             OR c.target->>'position' IS DISTINCT FROM t.position::text AS unrecorded
    FROM metadata_tags t LEFT JOIN metadata_changesets c ON c.id = t.changeset_id
  )
  SELECT name, position, changeset_id, concat_ws('; ',
      CASE WHEN edited THEN 'the tag does not match its hash (edited)' END,
      CASE WHEN unlinked THEN 'prev_hash does not match the previous tag (a tag was removed or reordered)' END,
      CASE WHEN moved THEN 'the log at its position is not the one tagged (the tag or the log was changed)' END,
      CASE WHEN unrecorded THEN 'its changeset is missing or names another tag or position' END) AS detail
  FROM checked WHERE edited OR unlinked OR moved OR unrecorded
  UNION ALL
  SELECT c.target->>'tag', (c.target->>'position')::bigint, c.id, 'the changeset records a tag that is gone (removed)'
  FROM metadata_changesets c
  WHERE c.source = 'tag' AND NOT EXISTS (SELECT 1 FROM metadata_tags t WHERE t.changeset_id = c.id)`;

/** What is wrong with the tags: each finding names the tag, its position and its changeset. */
export async function tagProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const { rows } = await db.executeQuery<{ name: string | null; position: string | number | null; changeset_id: string; detail: string }>(
    CompiledQuery.raw(tagChecks),
  );
  return rows.map((row) => ({
    kind: 'tag_mismatch' as const,
    changesetId: row.changeset_id,
    ...(row.position === null ? {} : { position: Number(row.position) }),
    detail: `tag "${row.name ?? '?'}": ${row.detail}`,
  }));
}

/** A verify report with the tags checked too. */
export async function withTagProblems(db: MetaledgerDb, report: VerifyReport): Promise<VerifyReport> {
  const problems = await tagProblems(db);
  return problems.length === 0 ? report : { ...report, ok: false, problems: [...report.problems, ...problems] };
}
