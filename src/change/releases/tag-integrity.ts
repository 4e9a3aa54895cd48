import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { runStatement } from '../../datasource/statement.js';
import type { IntegrityProblem } from '../../history/integrity-problem.js';
import type { VerifyReport } from '../../history/verify.js';
import { tagChecks } from './release-statements.js';

/** What is wrong with the tags: each finding names the tag, its position and its changeset. */
export async function tagProblems(db: MetaledgerDb): Promise<IntegrityProblem[]> {
  const rows = await runStatement(db, tagChecks());
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
