import type { PendingEvent } from '../../events/append-events.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import type { PatchOperation } from '../../events/patch.js';
import { keyOf } from '../../events/stream-key.js';
import { fileIssue, type FileIssue } from '../../loaders/record-file.js';
import type { MetadataImportStrategy } from '../../protocol/index.js';
import type { PayloadCheck } from '../../write/payload-check.js';
import { planSave, type SnapshotPolicy } from '../../write/plan-write.js';
import { ValidationError } from '../../errors.js';
import { refusalReason, type Operation, type ProtectedItem } from '../access-policy.js';
import type { Principal } from '../principal.js';
import { mergePatch } from '../merge-patch.js';
import type { SourceItem } from './read-import-source.js';

/** What an import does to one item. */
export type ImportAction = 'create' | 'update' | 'unchanged' | 'skip' | 'invalid';

/** What an import does (or, on a dry run, would do) to one item. */
export interface ImportChange {
  type: string;
  name: string;
  file: string;
  action: ImportAction;
  /** The item's version before the import (absent: it did not exist). */
  fromVersion?: number;
  version?: number;
  patch?: PatchOperation[];
}

export interface ImportRefusal {
  operation: Operation;
  item: ProtectedItem;
  reason: string;
  file: string;
}

export interface ImportPlan {
  changes: ImportChange[];
  events: PendingEvent[];
  issues: FileIssue[];
  refusals: ImportRefusal[];
}

export interface ImportRules {
  strategy: MetadataImportStrategy;
  snapshot: SnapshotPolicy;
  /** The payload check against the type definitions (typed metadata). */
  check?: PayloadCheck;
  principal: Principal;
  allowSystem: boolean;
}

const onConflictOf = { merge: 'update', replace: 'replace', skip: 'skip' } as const;

/**
 * Plans every item against its current stream head: merge (the payload merged into the current one,
 * the fields the file gives over the current envelope), replace (the file's record whole) or skip
 * (existing items stay). Each write is checked against the access rules.
 */
export function planImport(items: SourceItem[], heads: Map<string, StreamHead>, rules: ImportRules): ImportPlan {
  const plan: ImportPlan = { changes: [], events: [], issues: [], refusals: [] };
  for (const { record, provided, file } of items) {
    const { type, name } = record;
    const head = heads.get(keyOf(record)) ?? null;
    const current = head?.document ?? null;
    const fromVersion = current ? head!.version : undefined;
    const document =
      rules.strategy === 'merge' && current
        ? { ...record, metadata: mergePatch(current.metadata, record.metadata) as Record<string, unknown> }
        : record;
    let written;
    try {
      written = planSave(
        type,
        name,
        head,
        {
          document,
          providedKeys: new Set(provided),
          onConflict: onConflictOf[rules.strategy],
          create: true,
          overwrite: true,
          check: rules.check,
        },
        rules.snapshot,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      plan.issues.push(...error.issues.map((issue) => fileIssue(file, issue.path, issue.message)));
      plan.changes.push({ type, name, file, action: 'invalid', fromVersion });
      continue;
    }
    if (written.action !== 'write') {
      plan.changes.push({
        type,
        name,
        file,
        action: written.action === 'skipped' ? 'skip' : 'unchanged',
        fromVersion,
        version: fromVersion,
      });
      continue;
    }
    const { event } = written;
    const operation: Operation = current ? 'update' : 'create';
    for (const item of current ? [current, event.document!] : [event.document!]) {
      const reason = refusalReason(rules.principal, operation, item, { allowSystem: rules.allowSystem });
      if (reason) plan.refusals.push({ operation, item: { type, name, scope: item.scope, owner: item.owner }, reason, file });
    }
    plan.events.push(event);
    plan.changes.push({ type, name, file, action: current ? 'update' : 'create', fromVersion, version: event.version, patch: event.patch });
  }
  return plan;
}
