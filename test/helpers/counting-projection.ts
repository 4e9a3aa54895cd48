import { CompiledQuery } from 'kysely';
import type { ProjectionDefinition } from '../../src/projections/projection.js';

/**
 * A test projection that records every event it is given under the event's position as primary key:
 * an event applied twice fails the batch, an event skipped is a missing row. `failNext` makes the next
 * batch write its rows and then throw, like a projector dying mid-batch.
 */
export function countingProjection(name = 'counting'): ProjectionDefinition & { failNext: boolean } {
  const projection = {
    name,
    version: 1,
    kinds: 'all' as const,
    defaultMode: 'async' as const,
    table: `${name}_events`,
    failNext: false,
    async ensureTable(db, table) {
      await db.executeQuery(
        CompiledQuery.raw(
          `CREATE TABLE IF NOT EXISTS ${table} (position bigint PRIMARY KEY, name text NOT NULL, version integer NOT NULL)`,
        ),
      );
    },
    async apply(trx, events, table) {
      await trx.executeQuery(
        CompiledQuery.raw(`INSERT INTO ${table} (position, name, version) SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])`, [
          events.map((e) => e.position),
          events.map((e) => e.name),
          events.map((e) => e.version),
        ]),
      );
      if (projection.failNext) {
        projection.failNext = false;
        throw new Error('projector died mid-batch');
      }
    },
    async reset(trx, table) {
      await trx.executeQuery(CompiledQuery.raw(`TRUNCATE ${table}`));
    },
  } satisfies ProjectionDefinition & { failNext: boolean };
  return projection;
}
