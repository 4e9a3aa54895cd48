import { z } from 'zod';
import { MAX_TAG_NAME_LENGTH } from '../../change/releases/tag-name.js';
import type { Capability } from '../api.js';
import { requireAdmin } from '../access/authorize.js';
import { problems, ReasonSchema } from '../http/schemas.js';

const TagBodySchema = z
  .object({
    name: z.string().min(1).max(MAX_TAG_NAME_LENGTH).describe('letters, digits, ".", "_", "-" and "@"'),
    position: z.number().int().min(0).optional().describe("the log position to name (default: the log's head now)"),
    message: ReasonSchema.describe('why: recorded with the tag'),
  })
  .strict();

/**
 * Release tags: anyone signed in lists them (a tag names a log position, no item's content); naming one
 * is an admin's (a tag is store-wide and permanent). The actor is the principal, never the body.
 */
export const tagsCapability: Capability = {
  register(api, context) {
    api.get('/tags', { schema: { summary: 'The release tags, oldest first', tags: ['releases'], response: problems(401) } }, async () => ({
      tags: await context.store.tags(),
    }));
    api.post(
      '/tags',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Name a log position (a release), once',
          tags: ['releases'],
          body: TagBodySchema,
          response: problems(400, 401, 403, 409),
        },
      },
      async (request, reply) => {
        requireAdmin(request, 'tag a release');
        const { name, ...options } = request.body;
        reply.code(201);
        return context.store.tag(name, { ...options, actor: request.principal.id });
      },
    );
  },
};
