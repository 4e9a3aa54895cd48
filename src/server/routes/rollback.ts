import { z } from 'zod';
import type { Capability } from '../api.js';
import { authorize, protectedItemOf, readableItem } from '../access/authorize.js';
import { expectedVersionOf } from '../http/preconditions.js';
import { ItemParamsSchema, problems, ReasonSchema } from '../http/schemas.js';

const RollbackBodySchema = z
  .object({
    toVersion: z.number().int().min(0),
    reason: ReasonSchema,
    dryRun: z.boolean().default(false).describe('return the plan (the patch from now to then) without writing'),
  })
  .strict();

/**
 * Makes the item what it was at a version, as a new `rolled_back` event. The principal must be allowed
 * to change the item as it is and as it becomes; the write expects the version that was checked.
 */
export const rollbackCapability: Capability = {
  register(api, context) {
    api.post(
      '/items/:type/:name/rollback',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Roll an item back to a version (dryRun previews the patch); If-Match: "v<n>" makes it conditional',
          tags: ['history'],
          params: ItemParamsSchema,
          body: RollbackBodySchema,
          response: problems(400, 401, 403, 404, 409, 412),
        },
      },
      async (request, reply) => {
        const { type, name } = request.params;
        const { toVersion, reason, dryRun } = request.body;
        const current = await readableItem(context, request, type, name);
        const target = await context.store.getAt(type, name, { version: toVersion });
        const now = protectedItemOf(current);
        const then = target.document ? { ...target.document, type, name } : undefined;
        if (current.kind !== 'deleted') await authorize(context, request, then ? 'update' : 'delete', now);
        if (then) await authorize(context, request, current.kind === 'deleted' ? 'create' : 'update', then);
        if (dryRun) {
          const diff = await context.store.diff(type, name, current.version, toVersion);
          return {
            dryRun: true,
            fromVersion: current.version,
            toVersion,
            changed: !diff.identical,
            patch: diff.patch,
            summary: diff.summary,
          };
        }
        const result = await context.store.rollback(type, name, toVersion, {
          actor: request.principal.id,
          reason,
          correlationId: request.correlationId,
          // what was checked is what changes: a write in between makes this a conflict
          expectedVersion: expectedVersionOf(request) ?? current.version,
        });
        reply.header('etag', `"v${result.version}"`);
        return { dryRun: false, ...result };
      },
    );
  },
};
