import { MetaledgerError, type ErrorCode } from '../../errors.js';
import type { MetadataBulkOperationType } from '../../protocol/index.js';

/** What a record's event did; `unchanged` records wrote no event. */
export type BulkAction = 'created' | 'updated' | 'deleted' | 'archived' | 'restored' | 'unchanged';

/** ABORTED: the record was fine but was not written, because the operation stopped or rolled back. */
export type BulkErrorCode = ErrorCode | 'ABORTED';

/** What a bulk operation did with one record of the request. */
export interface BulkRecordResult {
  /** Position of the record in the request. */
  index: number;
  type: string;
  name: string;
  ok: boolean;
  action?: BulkAction;
  /** The item's version after the operation. */
  version?: number;
  error?: { code: BulkErrorCode; message: string };
}

/** Counts of a bulk operation by outcome. */
export interface BulkTotals {
  total: number;
  succeeded: number;
  failed: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** The outcome of `driver.bulkOperation()`: per record, totals, and the one changeset written. */
export interface BulkOperationResult {
  success: boolean;
  operation: MetadataBulkOperationType;
  /** The one changeset every event of this call belongs to; absent when nothing was written. */
  changesetId?: string;
  /** In request order. */
  results: BulkRecordResult[];
  totals: BulkTotals;
  /** Append statements the records were split into. */
  batches: number;
  /** Conflicts retried (per transaction, or per batch when not transactional). */
  retries: number;
}

export function totalsOf(results: BulkRecordResult[]): BulkTotals {
  const count = (test: (result: BulkRecordResult) => boolean) => results.filter(test).length;
  return {
    total: results.length,
    succeeded: count((r) => r.ok),
    failed: count((r) => !r.ok),
    created: count((r) => r.action === 'created'),
    updated: count((r) => r.action === 'updated' || r.action === 'archived' || r.action === 'restored'),
    deleted: count((r) => r.action === 'deleted'),
    unchanged: count((r) => r.action === 'unchanged'),
  };
}

/**
 * A bulk operation that stopped on a failing record (or, when transactional, rolled back because of
 * one). `code` is the first failure's; `results` tells what happened to every record.
 */
export class BulkOperationError extends MetaledgerError {
  constructor(
    readonly results: BulkRecordResult[],
    readonly written: boolean,
  ) {
    const failures = results.filter((r) => r.error && r.error.code !== 'ABORTED');
    const first = failures[0];
    const code = (first?.error?.code ?? 'CONFLICT') as ErrorCode;
    const outcome = written ? `${results.filter((r) => r.ok).length} records were written before it stopped` : 'nothing was written';
    super(
      code,
      `bulk operation failed on ${failures.length} record(s), first records[${first?.index}] ${first?.type}/${first?.name}: ${first?.error?.message}; ${outcome}`,
    );
  }
}
