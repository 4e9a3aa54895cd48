import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { ConflictError, isMetaledgerError, ValidationError } from '../../errors.js';
import type { PendingEvent } from '../../events/append-events.js';
import { readHeadsOf } from '../../events/read-stream-head.js';
import { keyOf, byKey } from '../../events/stream-key.js';
import { parseOptions } from '../../input/parse-input.js';
import { unknownRecordFields } from '../../input/record-input.js';
import { StrictMetadataBulkOperationSchema, type StrictMetadataBulkOperationInput } from '../../protocol/index.js';
import type { StoreInternals } from '../../store/store-internals.js';
import type { WriteContext } from '../../write/changeset-committer.js';
import type { SnapshotPolicy } from '../../write/plan-write.js';
import { BulkOperationError, totalsOf, type BulkOperationResult, type BulkRecordResult } from './bulk-result.js';
import { bulkEntries, planRecord, rejectDuplicates, type BulkEntry } from './plan-bulk.js';

export interface BulkSettings {
  /** performance.batchSize: records per append statement when the call does not say. */
  defaultBatchSize: number;
  snapshot: SnapshotPolicy;
}

/** What a bulk operation uses of the store: its commit (transactions, retries, connection failures) and its payload check. */
export type BulkWriter = Pick<StoreInternals, 'commitChangeset' | 'openChangeset' | 'settleChangeset' | 'payloadCheck'>;

/** Who runs a bulk operation and why, recorded on its changeset. */
export type BulkContext = Omit<WriteContext, 'source'>;

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function aborted(entry: BulkEntry, why: string): BulkRecordResult {
  return { index: entry.index, type: entry.type, name: entry.name, ok: false, error: { code: 'ABORTED', message: why } };
}

/** The parsed operation with each payload the checked copy given: zod rebuilds records key by key and drops a `__proto__` member. */
function keepCheckedPayloads<T extends { records: object[] }>(parsed: T, given: StrictMetadataBulkOperationInput): T {
  const payloadOf = (i: number) => (given.records[i] as { metadata?: unknown }).metadata;
  return {
    ...parsed,
    records: parsed.records.map((record, i) => ('metadata' in record ? { ...record, metadata: payloadOf(i) ?? record.metadata } : record)),
  };
}

/** A batch planned on the heads its query read: each record's result, and the events to append. */
interface PlannedBatch {
  results: BulkRecordResult[];
  events: PendingEvent[];
}

const failedIn = (results: Iterable<BulkRecordResult>) => [...results].some((r) => r.error && r.error.code !== 'ABORTED');

/**
 * Writes every record of a bulk operation as events of ONE changeset, through the store's commit:
 * `batch.size` records per append statement, the stream heads of a batch read in one query. Transactional:
 * one commit (one transaction, retried whole on a conflict), nothing written if any record fails. Otherwise
 * the changeset is opened first and each batch is a commit of its own that joins it (concurrently with
 * `batch.parallel`), retried on its own; a batch that still conflicts reports CONFLICT per record.
 */
export async function runBulk(
  writer: BulkWriter,
  settings: BulkSettings,
  input: StrictMetadataBulkOperationInput,
  context: BulkContext = {},
): Promise<BulkOperationResult> {
  const operation = keepCheckedPayloads(parseOptions(StrictMetadataBulkOperationSchema, input, 'bulk operation'), input);
  // records written whole: a field the record schema does not know is refused, as by save (a delete names items only)
  if (operation.operation !== 'delete') {
    const unknown = operation.records.flatMap((record, i) => unknownRecordFields(input.records[i] as object, record, `records.${i}.`));
    if (unknown.length > 0) throw new ValidationError(unknown, 'invalid bulk operation');
  }
  rejectDuplicates(operation.records);
  // an empty batch (as batch code may produce) is a no-op: no changeset, no round trip
  if (operation.records.length === 0)
    return { success: true, operation: operation.operation, results: [], totals: totalsOf([]), batches: 0, retries: 0 };
  const size = input.batch?.size ?? settings.defaultBatchSize;
  const { continueOnError, parallel } = operation.batch;
  // one lock order for every call: concurrent bulk writes over the same items wait instead of deadlocking
  const entries = bulkEntries(operation, input.records, settings.snapshot, await writer.payloadCheck()).sort(byKey);
  const batches = chunk(entries, size);

  /**
   * Plans a batch. Its events are appended only when `append` and no record failed, or when the call
   * continues on errors outside a transaction (inside one, a failure leaves everything unwritten anyway).
   */
  const planBatch = async (db: MetaledgerDb, batch: BulkEntry[], append: boolean): Promise<PlannedBatch> => {
    const heads = await readHeadsOf(db, batch);
    const planned = batch.map((entry) => planRecord(entry, heads.get(keyOf(entry)) ?? null));
    const written = append && (!planned.some((p) => !p.ok) || (continueOnError && !operation.transactional));
    return {
      results: planned.map((p) =>
        !p.ok
          ? p.result
          : written
            ? { index: p.entry.index, type: p.entry.type, name: p.entry.name, ok: true, action: p.action, version: p.version }
            : aborted(p.entry, 'not written: another record failed'),
      ),
      events: written ? planned.flatMap((p) => (p.ok && p.event ? [p.event] : [])) : [],
    };
  };

  const run: BulkRun = { writer, context: { ...context, source: 'bulk' }, batches, planBatch, continueOnError };
  const outcome = operation.transactional ? await commitAll(run, size) : await commitBatchByBatch(run, parallel);
  const { results, written } = outcome;
  const rolledBack = operation.transactional && failedIn(results.values());
  const ordered = entries
    .map((entry) => {
      const result = results.get(entry.index);
      return !result || (rolledBack && result.ok) ? aborted(entry, 'rolled back: another record failed') : result;
    })
    .sort((a, b) => a.index - b.index);
  const failed = failedIn(ordered);
  if (failed && (operation.transactional || !continueOnError)) throw new BulkOperationError(ordered, written);
  return {
    success: !failed,
    operation: operation.operation,
    changesetId: written ? outcome.changesetId : undefined,
    results: ordered,
    totals: totalsOf(ordered),
    batches: batches.length,
    retries: outcome.retries,
  };
}

async function runInOrder<T>(items: T[], run: (item: T) => Promise<void>): Promise<PromiseSettledResult<void>[]> {
  for (const item of items) {
    try {
      await run(item);
    } catch (reason) {
      return [{ status: 'rejected', reason }];
    }
  }
  return [];
}

type PlanBatch = (db: MetaledgerDb, batch: BulkEntry[], append: boolean) => Promise<PlannedBatch>;

/** One call's batches, how to plan one, and where they commit. */
interface BulkRun {
  writer: BulkWriter;
  context: BulkContext & { source: string };
  batches: BulkEntry[][];
  planBatch: PlanBatch;
  continueOnError: boolean;
}

/** What the batches of a call came to: each record's result by index, and what was committed. */
interface BulkOutcome {
  results: Map<number, BulkRecordResult>;
  retries: number;
  changesetId?: string;
  /** Whether any event was committed. */
  written: boolean;
}

/** Every batch in one commit: planned in order (stopping at a failure unless the call continues), appended only if none failed. */
async function commitAll(
  { writer, context, batches, planBatch, continueOnError }: BulkRun,
  eventsPerStatement: number,
): Promise<BulkOutcome> {
  try {
    const committed = await writer.commitChangeset(
      context,
      async (db) => {
        const results: BulkRecordResult[] = [];
        const events: PendingEvent[] = [];
        for (const batch of batches) {
          const planned = await planBatch(db, batch, !failedIn(results));
          results.push(...planned.results);
          events.push(...planned.events);
          if (failedIn(results) && !continueOnError) break;
        }
        return { result: results, events: failedIn(results) ? [] : events };
      },
      { eventsPerStatement },
    );
    return {
      results: new Map(committed.result.map((result) => [result.index, result])),
      retries: committed.retries,
      changesetId: committed.changesetId,
      written: committed.appended.length > 0,
    };
  } catch (error) {
    if (isMetaledgerError(error, 'CONFLICT')) throw new ConflictError(`bulk operation: ${error.message}; nothing was written`);
    throw error;
  }
}

/**
 * Each batch a commit of its own, joining one changeset opened first and settled once every batch has
 * finished (or failed): in order, or all at once with `batch.parallel`. Without `continueOnError`, the
 * batches after a failure are not attempted.
 */
async function commitBatchByBatch(
  { writer, context, batches, planBatch, continueOnError }: BulkRun,
  parallel: boolean,
): Promise<BulkOutcome> {
  const changesetId = await writer.openChangeset(context);
  const results = new Map<number, BulkRecordResult>();
  let retries = 0;
  const runBatch = async (batch: BulkEntry[]) => {
    if (failedIn(results.values()) && !continueOnError) {
      for (const entry of batch) results.set(entry.index, aborted(entry, 'not attempted: the operation stopped at an earlier failure'));
      return;
    }
    const outcome = await commitBatch(writer, context, changesetId, batch, planBatch);
    retries += outcome.retries;
    for (const result of outcome.results) results.set(result.index, result);
  };
  const outcomes = parallel ? await Promise.allSettled(batches.map(runBatch)) : await runInOrder(batches, runBatch);
  const written = await writer.settleChangeset(changesetId);
  const broken = outcomes.find((outcome) => outcome.status === 'rejected');
  if (broken) throw (broken as PromiseRejectedResult).reason;
  return { results, retries, changesetId, written };
}

/** One batch as a commit of its own, joining the opened changeset; a conflict the retries did not resolve fails its records. */
async function commitBatch(
  writer: BulkWriter,
  context: BulkContext & { source: string },
  changesetId: string,
  batch: BulkEntry[],
  planBatch: PlanBatch,
): Promise<{ results: BulkRecordResult[]; retries: number }> {
  try {
    const committed = await writer.commitChangeset(
      context,
      async (db) => {
        const { results, events } = await planBatch(db, batch, true);
        return { result: results, events };
      },
      { joinsChangeset: changesetId },
    );
    return { results: committed.result, retries: committed.retries };
  } catch (error) {
    if (!isMetaledgerError(error, 'CONFLICT')) throw error;
    const conflict = { code: 'CONFLICT' as const, message: error.message };
    return {
      results: batch.map((entry) => ({ index: entry.index, type: entry.type, name: entry.name, ok: false, error: conflict })),
      retries: 0,
    };
  }
}
