import { createMetadataStore } from '../../../src/index.js';
import type { PrivatePostgres } from './private-postgres.js';

/** A write the store said it had done. */
export interface Acknowledged {
  name: string;
  version: number;
}

/** Acknowledged writes that are not in the log. */
export async function missingAcknowledged(
  postgres: PrivatePostgres,
  schema: string,
  acknowledged: Acknowledged[],
): Promise<Acknowledged[]> {
  const rows = await postgres.query<{ name: string; version: number }>(`SELECT name, version FROM ${schema}.metadata_events`);
  const present = new Set(rows.map((row) => `${row.name}@${row.version}`));
  return acknowledged.filter((ack) => !present.has(`${ack.name}@${ack.version}`));
}

/** Changesets whose events are not all there (or more than it says): none may ever be visible. */
export async function partialChangesets(postgres: PrivatePostgres, schema: string): Promise<number> {
  const [row] = await postgres.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}.metadata_changesets c
     WHERE c.event_count <> (SELECT count(*) FROM ${schema}.metadata_events e WHERE e.changeset_id = c.id)`,
  );
  return row.n;
}

/** verify() of the schema, from a store of its own. */
export async function verifyOk(postgres: PrivatePostgres, schema: string): Promise<{ ok: boolean; problems: unknown[] }> {
  const store = await createMetadataStore({ connectionString: postgres.url(), schema, projections: { jobs: false } });
  try {
    const report = await store.verify();
    return { ok: report.ok, problems: report.problems.slice(0, 5) };
  } finally {
    await store.close();
  }
}
