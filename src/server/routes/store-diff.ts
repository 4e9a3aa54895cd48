import { z } from 'zod';
import { parseMomentText } from '../../change/releases/tag-moment.js';
import type { Capability } from '../api.js';
import { requireAdmin } from '../access/authorize.js';
import { problems, QueryListSchema } from '../http/schemas.js';

const momentText = z.string().min(1).max(200).describe('tag:<name> or a tag name, a log position, or an ISO date-time');

const StoreDiffQuerySchema = z
  .object({ from: momentText, to: momentText, namespace: z.string().min(1).optional(), types: QueryListSchema.optional() })
  .strict();

/**
 * Every item that differs between two moments (the review of a release). It names and shows items of
 * every scope and owner, so it is an admin's, as verify is.
 */
export const storeDiffCapability: Capability = {
  register(api, context) {
    api.get(
      '/diff',
      {
        schema: {
          summary: 'Items created, modified (with the RFC 6902 patch) or deleted between two moments',
          tags: ['releases'],
          querystring: StoreDiffQuerySchema,
          response: problems(400, 401, 403, 404),
        },
      },
      async (request) => {
        requireAdmin(request, 'diff the whole store');
        const { from, to, ...options } = request.query;
        return context.store.diffStore(parseMomentText(from, 'from'), parseMomentText(to, 'to'), options);
      },
    );
  },
};
