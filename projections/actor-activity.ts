import { runStatement } from '../src/datasource/statement.js';
import type { ProjectionDefinition } from '../src/projections/projection.js';
import { addActorActivity, createActorActivity, truncateProjection } from './statements.js';

/** Per actor and type: how many changes, and when the last one was — "who touches what" at a glance. */
export const actorActivityProjection: ProjectionDefinition = {
  name: 'actor-activity',
  version: 1,
  kinds: 'all',
  defaultMode: 'async',
  table: 'metadata_actor_activity',
  async ensureTable(db, table) {
    await runStatement(db, createActorActivity(table));
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
    await runStatement(trx, addActorActivity(table, [...totals.values()]));
  },
  async reset(trx, table) {
    await runStatement(trx, truncateProjection(table));
  },
};
