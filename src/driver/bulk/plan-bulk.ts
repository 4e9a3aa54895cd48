import { MetaledgerError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { PendingEvent } from '../../events/append-events.js';
import type { StreamHead } from '../../events/read-stream-head.js';
import type { StrictMetadataBulkOperation as MetadataBulkOperation } from '../../protocol/index.js';
import type { PayloadCheck } from '../../write/payload-check.js';
import { planDelete, planSave, type SnapshotPolicy, type WritePlan } from '../../write/plan-write.js';
import type { BulkAction, BulkRecordResult } from './bulk-result.js';
import { keyOf, type ItemKey } from '../../events/stream-key.js';

/** One record of the request: where it was, and how to plan its event from its stream head. */
export interface BulkEntry extends ItemKey {
  index: number;
  plan(head: StreamHead | null): WritePlan;
}

export type PlannedRecord =
  | { entry: BulkEntry; ok: true; event?: PendingEvent; action: BulkAction; version: number }
  | { entry: BulkEntry; ok: false; result: BulkRecordResult };

/** Two records for one item in one call would race each other inside the changeset, so they are refused. */
export function rejectDuplicates(records: ItemKey[]): void {
  const seen = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  records.forEach((record, index) => {
    const key = keyOf(record);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else
      issues.push({
        path: `records.${index}`,
        message: `${record.type}/${record.name} is already records.${first}; one call may touch an item once`,
      });
  });
  if (issues.length > 0) throw new ValidationError(issues, 'invalid bulk operation');
}

/**
 * create fails on an existing item, update on a missing one, upsert does either; an update keeps the
 * envelope fields the record does not give. delete takes references, and checks the id when one is given.
 */
export function bulkEntries(
  operation: MetadataBulkOperation,
  rawRecords: readonly unknown[],
  snapshot: SnapshotPolicy,
  check?: PayloadCheck,
): BulkEntry[] {
  if (operation.operation === 'delete') {
    return operation.records.map(({ type, name, id }, index) => ({
      index,
      type,
      name,
      plan: (head) => {
        if (id !== undefined && head?.document && head.document.id !== id) {
          throw new ValidationError([
            { path: `records.${index}.id`, message: `${type}/${name} has id "${head.document.id}", not "${id}"` },
          ]);
        }
        return { action: 'write', event: planDelete(type, name, head, undefined, snapshot) };
      },
    }));
  }
  const kind = operation.operation;
  return operation.records.map((record, index) => ({
    index,
    type: record.type,
    name: record.name,
    plan: (head) =>
      planSave(
        record.type,
        record.name,
        head,
        {
          document: record,
          providedKeys: new Set(Object.keys(rawRecords[index] as object)),
          onConflict: kind === 'create' ? 'error' : 'update',
          create: kind !== 'update',
          overwrite: true,
          check,
        },
        snapshot,
      ),
  }));
}

/** Plans one record; a refusal (exists, missing, bad id) becomes that record's error, not the call's. */
export function planRecord(entry: BulkEntry, head: StreamHead | null): PlannedRecord {
  try {
    const plan = entry.plan(head);
    if (plan.action === 'write')
      return { entry, ok: true, event: plan.event, action: plan.event.kind as BulkAction, version: plan.event.version };
    return { entry, ok: true, action: 'unchanged', version: plan.head.version };
  } catch (error) {
    if (!(error instanceof MetaledgerError)) throw error;
    return {
      entry,
      ok: false,
      result: { index: entry.index, type: entry.type, name: entry.name, ok: false, error: { code: error.code, message: error.message } },
    };
  }
}
