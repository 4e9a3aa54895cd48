import { readHeadsOf } from '../../events/read-stream-head.js';
import { ValidationError } from '../../errors.js';
import { silentProgress, type ProgressReporter } from '../../loaders/progress.js';
import type { FileIssue } from '../../loaders/record-file.js';
import { StrictMetadataImportOptionsSchema, type StrictMetadataImportOptionsInput } from '../../protocol/index.js';
import { internalsOf, type MetadataStore, type WriteContext } from '../../store/metadata-store.js';
import { parseInput } from '../../input/parse-input.js';
import { ForbiddenError } from '../access-policy.js';
import { anonymous, checkPrincipal, type Principal } from '../principal.js';
import { checkWriteContext } from '../../input/free-text.js';
import { atPublicBoundary } from '../../input/public-boundary.js';
import { databaseRefusalLog } from '../refusal-log.js';
import { planImport, type ImportAction, type ImportChange } from './plan-import.js';
import { readImportSource, type ImportSource } from './read-import-source.js';

/** The protocol's import options and metaledger's (StrictMetadataImportOptionsSchema): dryRun, the audit trail, who writes. */
export interface ImportOptions extends StrictMetadataImportOptionsInput, Omit<WriteContext, 'source'> {
  /**
   * Every write is checked against the scope access rules as this principal. Absent, the call is
   * anonymous and writes nothing; trusted code (a deploy, the operator's CLI) names itself:
   * `principal: operatorPrincipal('deploy')`.
   */
  principal?: Principal;
  /** A deploy: may create and change system items (refused otherwise). */
  allowSystem?: boolean;
  /** Reports items read (silent by default). */
  progress?: ProgressReporter;
}

/** What an import did (or, on a dry run, would do): counts per action and every change. */
export interface ImportReport {
  source: string;
  strategy: 'merge' | 'replace' | 'skip';
  dryRun: boolean;
  counts: Record<ImportAction, number>;
  /** Per item read, in source order. */
  changes: ImportChange[];
  /** Problems of items left out (validate: false only; with validate, any problem stops the import). */
  issues: FileIssue[];
  /** The one changeset holding every write (absent on a dry run or when nothing changed). */
  changesetId?: string;
  /** `store.restore({ position: restorePoint })` undoes the import (and anything written after it). */
  restorePoint?: number;
}

function countActions(changes: ImportChange[]): Record<ImportAction, number> {
  const counts: Record<ImportAction, number> = { create: 0, update: 0, unchanged: 0, skip: 0, invalid: 0 };
  for (const change of changes) counts[change.action]++;
  return counts;
}

/**
 * Imports a bundle file or a directory of record files as ONE changeset (source 'import'): all or
 * nothing, undone as one by a restore. With `validate` (the default) any problem in any file stops the
 * import before anything is written and every problem is reported with its file and path; without it,
 * invalid items are left out and reported. A dry run reports what each item would become.
 */
export function importMetadata(store: MetadataStore, options: ImportOptions): Promise<ImportReport> {
  return atPublicBoundary(async () => {
    const { source } = parseInput(StrictMetadataImportOptionsSchema, pickImportOptions(options), 'import options');
    return importInto(store, await readImportSource(source, options.progress ?? silentProgress), options);
  });
}

/** The protocol's options of an import call, without who writes, the audit trail and progress. */
function pickImportOptions(options: ImportOptions): StrictMetadataImportOptionsInput {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError([{ path: '(root)', message: 'import options must be an object' }], 'invalid import options');
  const {
    principal: _principal,
    allowSystem: _allowSystem,
    progress: _progress,
    actor: _actor,
    reason: _reason,
    correlationId: _correlationId,
    ...rest
  } = options;
  return rest;
}

/**
 * Imports records already read (from an HTTP request's body, say) exactly as importMetadata imports a
 * file's; `options.source` names where they came from in the report and the changeset.
 */
export function importSource(store: MetadataStore, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  return atPublicBoundary(() => importInto(store, source, options));
}

async function importInto(store: MetadataStore, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  const { dryRun = false, ...parsed } = parseInput(StrictMetadataImportOptionsSchema, pickImportOptions(options), 'import options');
  const { principal: given, allowSystem = false, actor, reason, correlationId } = options;
  const principal = given === undefined ? anonymous : checkPrincipal(given);
  checkWriteContext({ actor, reason, correlationId });
  if (parsed.validate && source.issues.length > 0)
    throw new ValidationError(source.issues, `invalid import source ${parsed.source}; nothing was imported`);
  const internals = internalsOf(store);
  const rules = {
    strategy: parsed.strategy,
    snapshot: internals.snapshotPolicy,
    check: await internals.payloadCheck(),
    principal,
    allowSystem,
  };
  const target = { import: { source: parsed.source, strategy: parsed.strategy } };
  const {
    result: plan,
    appended,
    changesetId,
  } = await internals.commitChangeset({ actor: actor ?? principal.id, reason, correlationId, source: 'import', target }, async (db) => {
    const plan = planImport(
      source.items,
      await readHeadsOf(
        db,
        source.items.map((item) => item.record),
      ),
      rules,
    );
    const blocked = dryRun || plan.refusals.length > 0 || (parsed.validate && plan.issues.length > 0);
    return { result: plan, events: blocked ? [] : plan.events };
  });
  if (plan.refusals.length > 0) {
    const log = databaseRefusalLog(store.db);
    for (const refusal of plan.refusals) {
      await log.record({
        principal: principal.id,
        roles: principal.roles,
        operation: refusal.operation,
        ...refusal.item,
        reason: refusal.reason,
        source: 'import',
        correlationId,
      });
    }
    const shown = plan.refusals.slice(0, 5).map((refusal) => `${refusal.file}: ${refusal.reason}`);
    if (plan.refusals.length > shown.length) shown.push(`… and ${plan.refusals.length - shown.length} more`);
    const [first] = plan.refusals;
    throw new ForbiddenError(`import refused, nothing was imported: ${shown.join('; ')}`, first.operation, first.reason);
  }
  if (parsed.validate && plan.issues.length > 0)
    throw new ValidationError(plan.issues, `invalid import source ${parsed.source}; nothing was imported`);
  const counts = countActions(plan.changes);
  // records that could not even be read have no change entry: count them by file
  counts.invalid += new Set(source.issues.map((issue) => issue.file)).size;
  return {
    source: parsed.source,
    strategy: parsed.strategy,
    dryRun,
    counts,
    changes: plan.changes,
    issues: [...source.issues, ...plan.issues],
    ...(changesetId ? { changesetId, restorePoint: appended[0].position - 1 } : {}),
  };
}
