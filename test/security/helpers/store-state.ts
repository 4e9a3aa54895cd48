import type { TestDatabase } from '../../helpers/test-store.js';

/**
 * A fingerprint of everything a write could touch: the log, the changesets, the stream heads, the
 * projection and the refusal log. Equal fingerprints before and after a call mean it wrote nothing.
 */
export interface StoreState {
  events: number;
  changesets: string;
  streams: string;
  projection: string;
  eventRows: string;
  refusals: number;
}

export async function storeState(database: TestDatabase): Promise<StoreState> {
  const [row] = await database.query<StoreState>(`SELECT
      (SELECT count(*) FROM metadata_events)::int AS events,
      (SELECT coalesce(md5(string_agg(e::text, ',' ORDER BY e.position)), '') FROM metadata_events e) AS "eventRows",
      (SELECT coalesce(md5(string_agg(c::text, ',' ORDER BY c.id)), '') FROM metadata_changesets c) AS changesets,
      (SELECT coalesce(md5(string_agg(s::text, ',' ORDER BY s.item_id)), '') FROM metadata_streams s) AS streams,
      (SELECT coalesce(md5(string_agg(p::text, ',' ORDER BY p.type, p.name)), '') FROM _framework_metadata p) AS projection,
      (SELECT count(*) FROM metadata_access_refusals)::int AS refusals`);
  return row;
}
