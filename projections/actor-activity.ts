import { CompiledQuery } from 'kysely';
import type { ProjectionDefinition } from '../src/projections/projection.js';

/** Per actor and type: how many changes, and when the last one was — "who touches what" at a glance. */
export const actorActivityProjection: ProjectionDefinition = {
  name: 'actor-activity',
  version: 1,
  kinds: 'all',
  defaultMode: 'async',
  table: 'metadata_actor_activity',
  async ensureTable(db, table) {
    await db.executeQuery(
      CompiledQuery.raw(`CREATE TABLE IF NOT EXISTS ${table} (
        actor text NOT NULL, type varchar(100) NOT NULL, events bigint NOT NULL, last_change_at timestamptz NOT NULL,
        PRIMARY KEY (actor, type))`),
    );
  },
  async apply(trx, events, table) {
    const totals = new Map<string, { actor: string; type: string; events: number; last: string }>();
    for (const event of events) {
      const actor = event.actor ?? '(unknown)';
      const key = `${actor}\u0000${event.type}`;
      const entry = totals.get(key) ?? { actor, type: event.type, events: 0, last: event.recordedAt };
      entry.events += 1;
      if (event.recordedAt > entry.last) entry.last = event.recordedAt;
      totals.set(key, entry);
    }
    if (totals.size === 0) return;
    const rows = [...totals.values()];
    await trx.executeQuery(
      CompiledQuery.raw(
        `INSERT INTO ${table} AS t (actor, type, events, last_change_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
         ON CONFLICT (actor, type) DO UPDATE
           SET events = t.events + excluded.events, last_change_at = greatest(t.last_change_at, excluded.last_change_at)`,
        [rows.map((r) => r.actor), rows.map((r) => r.type), rows.map((r) => r.events), rows.map((r) => r.last)],
      ),
    );
  },
  async reset(trx, table) {
    await trx.executeQuery(CompiledQuery.raw(`TRUNCATE ${table}`));
  },
};
