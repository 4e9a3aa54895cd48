import { DatasourcePoolFieldsSchema, DatasourceSchema, poolBoundsInOrder } from '../datasource.js';

/*
 * Metaledger's strict layer for a datasource: the protocol's schema drops keys it does not know, so
 * `{ driver: 'pglite', dataDir: './db' }` (dataDir belongs in config) opened an in-memory database and the
 * data was gone at exit. Here a key the store would not read is refused, named by its path.
 */

/** DatasourceSchema as a store checks it: no key that would be ignored, at any level. */
export const StrictDatasourceSchema = DatasourceSchema.extend({
  /** Connection pool bounds (postgres only), min ≤ max; default 0 to 10 connections. Unknown keys are refused. */
  pool: poolBoundsInOrder(DatasourcePoolFieldsSchema.strict('not a pool setting (min, max, idleTimeoutMillis)')).default({}),
}).strict('not a datasource setting (name, driver, config, pool, active; connection settings such as dataDir go in config)');
