import { z } from 'zod';
import type { Capability } from '../api.js';
import { requireAdmin } from '../access/authorize.js';
import { problems } from '../http/schemas.js';

const ProjectionParamsSchema = z.object({ projection: z.string().min(1).max(100) });
const RebuildBodySchema = z.object({ batchSize: z.number().int().min(1).max(100_000).optional() }).strict();

/** Projection status (mode, checkpoint, lag, last error) and rebuilds (admins). */
export const projectionsCapability: Capability = {
  register(api, { store }) {
    api.get(
      '/projections',
      { schema: { summary: 'Status of every projection', tags: ['operations'], response: problems(401) } },
      async () => ({
        projections: await store.projectionStatus(),
      }),
    );
    api.post(
      '/projections/:projection/rebuild',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Replay the log into a fresh copy of a projection and swap it in',
          tags: ['operations'],
          params: ProjectionParamsSchema,
          body: RebuildBodySchema,
          response: problems(400, 401, 403, 404),
        },
      },
      async (request) => {
        requireAdmin(request, 'rebuild projections');
        return store.rebuild(request.params.projection, request.body);
      },
    );
  },
};
