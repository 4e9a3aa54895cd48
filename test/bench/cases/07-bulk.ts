import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MetadataDriver, type MetadataRecordInput } from '../../../src/index.js';
import { benchRow, type BenchCase, type BenchRow } from '../bench-case.js';
import { indicesUsed, measureInterleaved, perUnit, type RunShape } from '../measure.js';
import { benchType, itemMetadata, itemName } from '../workload.js';

const name = 'bulk';

/** Records per append statement (bulk) and rows per INSERT (raw): both sides split a call alike. */
const batchSizes = [100, 1000];

/** The raw side writes the same rows into a table shaped like the projection: same columns, defaults and indexes. */
const plainMetadataDdl = 'CREATE TABLE plain_metadata (LIKE _framework_metadata INCLUDING ALL)';

const upsertTail = `ON CONFLICT (type, name) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at, version = plain_metadata.version + 1`;

/** One multi-row INSERT (or upsert) of `rows` rows, four parameters each. */
function multiRowInsert(rows: number, upsert: boolean): string {
  const values = Array.from({ length: rows }, (_, r) => `($${4 * r + 1}, $${4 * r + 2}, $${4 * r + 3}, $${4 * r + 4}, now(), now())`);
  return `INSERT INTO plain_metadata (id, type, name, metadata, created_at, updated_at) VALUES ${values.join(', ')}${upsert ? ` ${upsertTail}` : ''}`;
}

/** The batches of a call in one transaction, as the driver's default (transactional) bulk call does. */
async function insertInBatches(pool: pg.Pool, records: MetadataRecordInput[], batchSize: number, upsert: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      await client.query(
        multiRowInsert(batch.length, upsert),
        batch.flatMap((record) => [randomUUID(), record.type, record.name, record.metadata]),
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * `bulkRecords` records per driver.bulkOperation upsert (the default: one transaction, batches one after
 * another), first new items, then an update of each; against raw multi-row INSERTs (then upserts) of the
 * same rows in batches of the same size, in one transaction. Figures are records/s; latencies and round
 * trips are per call.
 */
const bulk: BenchCase = {
  name,
  async run({ sizes, openStore, openPool }) {
    const driver = new MetadataDriver(await openStore());
    const pool = openPool();
    await pool.query(plainMetadataDdl);
    const perCall = sizes.bulkRecords;
    const shape: RunShape = { ops: sizes.bulkCalls, concurrency: 1, warmup: 1, rounds: sizes.bulkCalls, profileOps: 1 };
    const created = indicesUsed(shape);
    const rows: BenchRow[] = [];
    for (const batchSize of batchSizes) {
      const records = (call: number, revision: number): MetadataRecordInput[] =>
        Array.from({ length: perCall }, (_, k) => ({
          type: benchType,
          name: itemName(`b${batchSize}_${call}`, k),
          metadata: itemMetadata(k, revision),
        }));
      const bulkUpsert = async (call: number, revision: number) => {
        const result = await driver.bulkOperation({ operation: 'upsert', records: records(call, revision), batch: { size: batchSize } });
        if (!result.success || result.totals.unchanged > 0)
          throw new Error(`bulk call ${call} did not write every record: ${JSON.stringify(result.totals)}`);
      };
      const [bulkNew, insertNew] = await measureInterleaved(
        [
          { name: 'metaledger bulk upsert (new)', op: (call) => bulkUpsert(call, 1) },
          { name: 'raw multi-row INSERT', op: (call) => insertInBatches(pool, records(call, 1), batchSize, false) },
        ],
        shape,
      );
      // every update changes each record, so every record appends an event
      const [bulkUpdate, upsertRows] = await measureInterleaved(
        [
          { name: 'metaledger bulk upsert (update)', op: (call) => bulkUpsert(call % created, call + 2) },
          { name: 'raw multi-row upsert', op: (call) => insertInBatches(pool, records(call % created, call + 2), batchSize, true) },
        ],
        shape,
      );
      const extra = { unit: 'records/s', perCall, batchSize };
      const operation = (what: string) => `bulk ${what} ${perCall.toLocaleString('en-US')}, batch ${batchSize}`;
      rows.push(
        benchRow({
          case: name,
          operation: operation('create'),
          result: perUnit(bulkNew, perCall),
          baseline: perUnit(insertNew, perCall),
          target: { minRatio: 0.5 },
          extra,
        }),
        benchRow({
          case: name,
          operation: operation('update'),
          result: perUnit(bulkUpdate, perCall),
          baseline: perUnit(upsertRows, perCall),
          target: { minRatio: 0.5 },
          extra,
        }),
      );
    }
    return rows;
  },
};

export default bulk;
