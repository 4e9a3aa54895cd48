import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { randomUUID } from 'node:crypto';
import type { PayloadCheck } from '../../change/types/payload-check.js';
import { isConflictFailure } from '../../datasource/database-errors.js';
import { runStatement } from '../../datasource/statement.js';
import { kyselyRunner } from '../../datasource/sql-runner.js';
import { ConflictError } from '../../errors.js';
import { appendEvents, hashVersion, type AppendStatement, type ChangesetInfo } from '../../events/append-events.js';
import { StrictMetadataBulkOperationSchema, type StrictMetadataBulkOperationInput } from '../../protocol/index.js';
import type { Isolation, WriteContext } from '../../store/metadata-store.js';
import type { InlineProjections } from '../../store/store-internals.js';
import { parseInput } from '../../store/parse-input.js';
import type { SnapshotPolicy } from '../../store/plan-write.js';
import { conflictMessage, withConflictRetry, type RetryPolicy } from '../../store/retry.js';
import { BulkOperationError, totalsOf, type BulkOperationResult, type BulkRecordResult } from './bulk-result.js';
import { bulkEntries, planRecord, rejectDuplicates, type BulkEntry, type PlannedRecord } from './plan-bulk.js';
import { readHeadsOf } from '../../events/read-stream-head.js';
import * as changesetStatements from '../../events/statements.js';
import { byKey, keyOf } from '../../events/stream-key.js';

export interface BulkSettings {
  /** performance.batchSize: records per append statement when the call does not say. */
  defaultBatchSize: number;
  retry: RetryPolicy;
  isolation: Isolation;
  snapshot: SnapshotPolicy;
  /** The append statement that joins an existing changeset. */
  appendStatement: AppendStatement;
  /** The store's inline projections: they commit with each batch's append. */
  inline: InlineProjections;
  /** The payload check against the type definitions as they are now (typed metadata). */
  payloadCheck: () => Promise<PayloadCheck>;
}

/** Who runs a bulk operation and why, recorded on its changeset. */
export type BulkContext = Omit<WriteContext, 'source'>;

const toLevel = (isolation: Isolation) =>
  isolation.replace('_', ' ') as 'read committed' | 'read uncommitted' | 'repeatable read' | 'serializable';

/** Thrown inside the transaction to roll it back once a record has failed. */
class RollBack extends Error {}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function aborted(entry: BulkEntry, why: string): BulkRecordResult {
  return { index: entry.index, type: entry.type, name: entry.name, ok: false, error: { code: 'ABORTED', message: why } };
}

function succeeded(planned: PlannedRecord & { ok: true }): BulkRecordResult {
  const { entry, action, version } = planned;
  return { index: entry.index, type: entry.type, name: entry.name, ok: true, action, version };
}

/**
 * Writes every record of a bulk operation as events of ONE changeset, `batch.size` records per append
 * statement (stream heads of a batch read in one query). Transactional: all batches in one transaction,
 * retried whole on a conflict, nothing written if any record fails. Otherwise each batch commits on its
 * own (concurrently with `batch.parallel`) and is retried on its own.
 */
/** The parsed operation with each payload the checked copy given: zod rebuilds records key by key and drops a `__proto__` member. */
function keepCheckedPayloads<T extends { records: object[] }>(parsed: T, given: StrictMetadataBulkOperationInput): T {
  const payloadOf = (i: number) => (given.records[i] as { metadata?: unknown }).metadata;
  return {
    ...parsed,
    records: parsed.records.map((record, i) => ('metadata' in record ? { ...record, metadata: payloadOf(i) ?? record.metadata } : record)),
  };
}

export async function runBulk(
  db: MetaledgerDb,
  settings: BulkSettings,
  input: StrictMetadataBulkOperationInput,
  context: BulkContext = {},
): Promise<BulkOperationResult> {
  const operation = keepCheckedPayloads(parseInput(StrictMetadataBulkOperationSchema, input, 'bulk operation'), input);
  rejectDuplicates(operation.records);
  // an empty batch (as batch code may produce) is a no-op: no changeset, no round trip
  if (operation.records.length === 0)
    return { success: true, operation: operation.operation, results: [], totals: totalsOf([]), batches: 0, retries: 0 };
  const size = input.batch?.size ?? settings.defaultBatchSize;
  const { continueOnError, parallel } = operation.batch;
  // one lock order for every call: concurrent bulk writes over the same items wait instead of deadlocking
  const entries = bulkEntries(operation, input.records, settings.snapshot, await settings.payloadCheck()).sort(byKey);
  const batches = chunk(entries, size);
  const changeset: ChangesetInfo = { id: randomUUID(), ...context, source: 'bulk' };
  const results = new Map<number, BulkRecordResult>();
  const failed = () => [...results.values()].some((r) => r.error && r.error.code !== 'ABORTED');

  /**
   * Plans a batch and appends its events. A batch with a failing record is appended only when the call
   * continues on errors outside a transaction (inside one, the failure rolls everything back anyway).
   */
  const writeBatch = async (conn: MetaledgerDb, batch: BulkEntry[], append: boolean) => {
    const heads = await readHeadsOf(conn, batch);
    const planned = batch.map((entry) => planRecord(entry, heads.get(keyOf(entry)) ?? null));
    const batchFailed = planned.some((p) => !p.ok);
    const written = append && (!batchFailed || (continueOnError && !operation.transactional));
    const events = planned.flatMap((p) => (p.ok && p.event ? [p.event] : []));
    if (written && events.length > 0) {
      const appended = await appendEvents(kyselyRunner(conn), settings.appendStatement, changeset, events);
      await settings.inline.apply(conn, changeset, events, appended);
    }
    return planned.map((p) => (!p.ok ? p.result : written ? succeeded(p) : aborted(p.entry, 'not written: another record failed')));
  };

  let retries = 0;
  let written: boolean;
  let rolledBack = false;
  if (operation.transactional) {
    const outcome = await runTransactional(
      db,
      settings,
      async (trx) => {
        results.clear();
        await insertChangeset(trx, changeset);
        for (const batch of batches) {
          for (const result of await writeBatch(trx, batch, !failed())) results.set(result.index, result);
          if (failed() && !continueOnError) break;
        }
        if (failed()) throw new RollBack();
        return settleChangeset(trx, changeset.id);
      },
      (n) => (retries = n),
    );
    rolledBack = outcome === 'rolled back';
    written = outcome === true;
  } else {
    await insertChangeset(db, changeset);
    const runBatch = async (batch: BulkEntry[]) => {
      if (failed() && !continueOnError) {
        for (const entry of batch) results.set(entry.index, aborted(entry, 'not attempted: the operation stopped at an earlier failure'));
        return;
      }
      for (const result of await writeBatchWithRetry(db, settings, batch, writeBatch, (n) => (retries += n)))
        results.set(result.index, result);
    };
    // every batch has finished (or failed) before the changeset is settled
    const outcomes = parallel ? await Promise.allSettled(batches.map(runBatch)) : await runInOrder(batches, runBatch);
    written = await settleChangeset(db, changeset.id);
    const broken = outcomes.find((outcome) => outcome.status === 'rejected');
    if (broken) throw (broken as PromiseRejectedResult).reason;
  }
  const ordered = entries
    .map((entry) => {
      const result = results.get(entry.index);
      return !result || (rolledBack && result.ok) ? aborted(entry, 'rolled back: another record failed') : result;
    })
    .sort((a, b) => a.index - b.index);
  if (failed() && (operation.transactional || !continueOnError)) throw new BulkOperationError(ordered, written);
  return {
    success: !failed(),
    operation: operation.operation,
    changesetId: written ? changeset.id : undefined,
    results: ordered,
    totals: totalsOf(ordered),
    batches: batches.length,
    retries,
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

/** All batches in one transaction at the driver's isolation; a conflict retries the whole transaction. Resolves to whether events were committed. */
async function runTransactional(
  db: MetaledgerDb,
  settings: BulkSettings,
  work: (trx: MetaledgerDb) => Promise<boolean>,
  onRetries: (n: number) => void,
): Promise<boolean | 'rolled back'> {
  try {
    const { value, retries } = await withConflictRetry(settings.retry, () =>
      db.transaction().setIsolationLevel(toLevel(settings.isolation)).execute(work),
    );
    onRetries(retries);
    return value;
  } catch (error) {
    if (error instanceof RollBack) return 'rolled back';
    if (isConflictFailure(error)) throw new ConflictError(`bulk operation: ${conflictMessage(settings.retry)}; nothing was written`);
    throw error;
  }
}

type WriteBatch = (conn: MetaledgerDb, batch: BulkEntry[], append: boolean) => Promise<BulkRecordResult[]>;

/** One batch on its own: its own transaction when the isolation asks for one, retried on conflicts. */
async function writeBatchWithRetry(
  db: MetaledgerDb,
  settings: BulkSettings,
  batch: BulkEntry[],
  writeBatch: WriteBatch,
  onRetries: (n: number) => void,
): Promise<BulkRecordResult[]> {
  try {
    const { value, retries } = await withConflictRetry(settings.retry, () =>
      settings.isolation === 'read_committed' && !settings.inline.needsTransaction
        ? writeBatch(db, batch, true)
        : db
            .transaction()
            .setIsolationLevel(toLevel(settings.isolation))
            .execute((trx) => writeBatch(trx, batch, true)),
    );
    onRetries(retries);
    return value;
  } catch (error) {
    if (!isConflictFailure(error)) throw error;
    const message = conflictMessage(settings.retry);
    return batch.map((entry) => ({
      index: entry.index,
      type: entry.type,
      name: entry.name,
      ok: false,
      error: { code: 'CONFLICT', message },
    }));
  }
}

async function insertChangeset(db: MetaledgerDb, changeset: ChangesetInfo): Promise<void> {
  await runStatement(db, changesetStatements.insertChangeset(changeset, hashVersion));
}

/** Records how many events joined the changeset, or removes it when none did. Resolves to whether any did. */
async function settleChangeset(db: MetaledgerDb, id: string): Promise<boolean> {
  const [{ events }] = await runStatement(db, changesetStatements.settleChangeset(id));
  return events > 0;
}
