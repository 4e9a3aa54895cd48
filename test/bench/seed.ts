import type { MetadataDriver, MetadataRecordInput } from '../../src/index.js';

/** Records per bulk call while seeding: large enough to keep every connection busy, small enough to hold in memory. */
const recordsPerCall = 20_000;

/**
 * Writes records `from` … `from + count - 1` through the driver's bulk upsert: batches of `batchSize`
 * that each commit on their own, as many at once as the store's pool has connections. Resolves to the
 * seconds it took; any record that fails stops the benchmark (its figures would mean nothing).
 */
export async function seedByBulk(
  driver: MetadataDriver,
  record: (index: number) => MetadataRecordInput,
  count: number,
  from = 0,
  batchSize = 1000,
): Promise<number> {
  const started = performance.now();
  for (let start = from; start < from + count; start += recordsPerCall) {
    const records = Array.from({ length: Math.min(recordsPerCall, from + count - start) }, (_, i) => record(start + i));
    const result = await driver.bulkOperation({
      operation: 'upsert',
      records,
      batch: { size: batchSize, parallel: true },
      transactional: false,
    });
    if (!result.success)
      throw new Error(
        `seeding failed: ${result.totals.failed} of ${records.length} records, first: ${result.results.find((r) => !r.ok)?.error?.message}`,
      );
  }
  return (performance.now() - started) / 1000;
}
