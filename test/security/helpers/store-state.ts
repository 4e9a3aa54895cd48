import type { TestDatabase } from '../../helpers/test-store.js';

/**
 * A fingerprint of everything a write could touch: the log, the changesets, the stream heads, the
 * projection and the refusal log. Per table, the row count and the newest row version (`xmin`: every
 * insert or update of a row gives it the writing transaction's id, newer than any before; a delete
 * lowers the count). Equal fingerprints before and after a call mean it wrote nothing.
 */
export interface StoreState {
  events: string;
  changesets: string;
  streams: string;
  projection: string;
  refusals: number;
}

const table = (name: string) => `(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM ${name})`;

export async function storeState(database: TestDatabase): Promise<StoreState> {
  const [row] = await database.query<StoreState>(`SELECT
      ${table('metadata_events')} AS events,
      ${table('metadata_changesets')} AS changesets,
      ${table('metadata_streams')} AS streams,
      ${table('_framework_metadata')} AS projection,
      (SELECT count(*) FROM metadata_access_refusals)::int AS refusals`);
  return row;
}
