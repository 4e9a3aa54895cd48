import { z } from 'zod';
import type { Capability } from '../api.js';
import { requireAdmin } from '../access/authorize.js';
import { problems } from '../http/schemas.js';

const VerifyBodySchema = z.object({ itemsPerRound: z.number().int().min(1).max(100_000).optional() }).strict();

/** Re-hashes every event and checks chains, heads and the projection (admins: the report names every item). */
export const verifyCapability: Capability = {
  register(api, context) {
    api.post(
      '/verify',
      {
        schema: {
          summary: 'Verify the hash chains, stream heads and projection',
          tags: ['operations'],
          body: VerifyBodySchema,
          response: problems(400, 401, 403),
        },
      },
      async (request) => {
        requireAdmin(request, 'verify the store');
        return context.store.verify(request.body);
      },
    );
  },
};
