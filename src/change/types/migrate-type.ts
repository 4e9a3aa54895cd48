import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { NotFoundError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { PendingEvent } from '../../events/append-events.js';
import { readHeadsOf } from '../../events/read-stream-head.js';
import { keyOf } from '../../events/stream-key.js';
import { planSave, type SnapshotPolicy } from '../../write/plan-write.js';
import { runStatement } from '../../datasource/statement.js';
import type { TypeRegistry } from './type-registry.js';
import { readItemsBelowVersion } from './type-statements.js';
import { upcastDocument } from './upcast.js';

/** What a type migration did: the version reached, the items rewritten, and the changeset (none when nothing was behind). */
export interface MigrateTypeResult {
  type: string;
  version: number;
  migrated: { name: string; fromVersion: number; version: number }[];
  changesetId?: string;
}

/** How the migration commits: the store's changeset path, as a shape so this file needs no store. */
export type CommitChangeset = (
  context: { actor?: string; reason?: string; source: string; target: Record<string, unknown> },
  planner: (db: MetaledgerDb) => Promise<{ result: MigrateTypeResult; events: PendingEvent[] }>,
) => Promise<{ result: MigrateTypeResult; changesetId?: string }>;

/**
 * Rewrites every live item of the type whose current state is of an older schema version: upcast, checked
 * against the current schema, and written as ONE changeset (source `migrate-type`), re-planned whole on a
 * conflict. Any item that does not pass refuses the whole migration, every problem with its path.
 */
export async function migrateType(
  registry: TypeRegistry,
  commit: CommitChangeset,
  snapshot: SnapshotPolicy,
  type: string,
  context: { actor?: string; reason?: string },
): Promise<MigrateTypeResult> {
  const definition = (await registry.definitions()).get(type);
  if (!definition) throw new NotFoundError(`type ${type} has no definition (store.defineType)`);
  const version = definition.definition.version;
  const check = await registry.payloadCheck();
  const target = { migrateType: { type, version } };
  const committed = await commit({ ...context, source: 'migrate-type', target }, async (db) => {
    const behind = await runStatement(db, readItemsBelowVersion(type, version));
    const heads = await readHeadsOf(
      db,
      behind.map(({ name }) => ({ type, name })),
    );
    const issues: ValidationIssue[] = [];
    const events: PendingEvent[] = [];
    const migrated: MigrateTypeResult['migrated'] = [];
    for (const { name, schema_version: fromVersion } of behind) {
      const head = heads.get(keyOf({ type, name }));
      if (!head?.document) continue;
      const written = { type, name, version: head.version, schemaVersion: fromVersion };
      const document = upcastDocument(head.document, written, definition, (t, to) => registry.upcasterOf(t, to));
      const problems = check(type, name, document.metadata);
      if (problems.length > 0) {
        issues.push(...problems.map((issue) => ({ ...issue, path: `${name}.${issue.path}` })));
        continue;
      }
      const intent = { document, providedKeys: new Set<string>(), onConflict: 'replace' as const, create: false, overwrite: true };
      const plan = planSave(type, name, head, intent, snapshot);
      if (plan.action !== 'write') continue;
      events.push(plan.event);
      migrated.push({ name, fromVersion, version: plan.event.version });
    }
    if (issues.length > 0) throw new ValidationError(issues, `${type} items do not fit schema version ${version} once upcast`);
    return { result: { type, version, migrated }, events };
  });
  return { ...committed.result, ...(committed.result.migrated.length > 0 ? { changesetId: committed.changesetId } : {}) };
}
