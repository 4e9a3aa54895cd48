import { pendingMigrations } from '../../migrate/migrator.js';
import type { Capability } from '../api.js';

/** Unlike the API, these answer without credentials: probes and API clients need them before anything else. */
const publicRoute = { access: 'public' as const };

/** /healthz (the process is up), /readyz (database reachable, migrations applied, projections' lag) and /openapi.json. */
export const metaRoutes: Capability = {
  register(api, { store }) {
    api.get('/healthz', { config: publicRoute, schema: { summary: 'The process is up', tags: ['health'], security: [] } }, async () => ({
      status: 'ok',
    }));

    api.get(
      '/readyz',
      {
        config: publicRoute,
        schema: { summary: 'Database reachable, migrations applied, projection lag (503 when not ready)', tags: ['health'], security: [] },
      },
      async (_request, reply) => {
        try {
          const pending = await pendingMigrations(store.db);
          const projections = (await store.projectionStatus()).map(({ name, mode, lagEvents, lagSeconds, lastError }) => ({
            name,
            mode,
            lagEvents,
            lagSeconds,
            lastError,
          }));
          const ready = pending.length === 0;
          return reply
            .code(ready ? 200 : 503)
            .send({ status: ready ? 'ready' : 'migrations pending', database: 'ok', pendingMigrations: pending, projections });
        } catch (error) {
          // a public probe says what is wrong, not where the database is: the details stay in the server's log
          // typed where the database was called: DATASOURCE_UNAVAILABLE, TIMEOUT, or a SQLSTATE left as it was
          return reply.code(503).send({ status: 'unavailable', database: (error as { code?: string }).code ?? 'unreachable' });
        }
      },
    );

    api.get(
      '/openapi.json',
      {
        config: publicRoute,
        schema: { summary: "This API as an OpenAPI 3.1 document, generated from the routes' zod schemas", tags: ['meta'], security: [] },
      },
      async () => api.swagger(),
    );
  },
};
