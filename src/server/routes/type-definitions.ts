import { z } from 'zod';
import { refusalReason } from '../../service/access-policy.js';
import type { Capability } from '../api.js';
import { readableItem, requireAdmin } from '../access/authorize.js';
import { ItemParamsSchema, problems, ReasonSchema, TypeParamsSchema } from '../http/schemas.js';

const DefineTypeBodySchema = z
  .object({
    schema: z.record(z.string(), z.unknown()).describe("a JSON Schema checking the records' metadata"),
    version: z.number().int().min(1).optional().describe('the schema version, 1 and up (default 1); raise it when the schema changes'),
    references: z
      .array(z.object({ path: z.string(), type: z.string() }).strict())
      .optional()
      .describe('payload fields (dot paths) naming items of a type'),
    reason: ReasonSchema,
  })
  .strict();

/**
 * Type definitions (typed metadata, see docs/types.md): read by everyone, defined by admins. Upcasters
 * are code and cannot be sent over HTTP: the processes that read older states register them.
 */
export const typeDefinitionsCapability: Capability = {
  register(api, context) {
    const { store } = context;
    api.get(
      '/type-definitions',
      { schema: { summary: 'Every type definition: schema version, JSON Schema, references', tags: ['types'], response: problems(401) } },
      async () => ({ types: await store.listTypes() }),
    );

    api.get(
      '/type-definitions/:type',
      {
        schema: { summary: "One type's definition", tags: ['types'], params: TypeParamsSchema, response: problems(400, 401, 404) },
      },
      async (request) => store.getType(request.params.type),
    );

    api.put(
      '/type-definitions/:type',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Define or redefine a type (admins); the same definition again writes nothing',
          tags: ['types'],
          params: TypeParamsSchema,
          body: DefineTypeBodySchema,
          response: problems(400, 401, 403, 409),
        },
      },
      async (request, reply) => {
        requireAdmin(request, 'define types');
        const { reason, ...definition } = request.body;
        const result = await store.defineType(request.params.type, definition, {
          actor: request.principal.id,
          reason,
          correlationId: request.correlationId,
          source: 'http',
        });
        return reply.code(result.created ? 201 : 200).send(result);
      },
    );

    api.get(
      '/records/:type/:name/references',
      {
        schema: {
          summary: 'The items whose declared references name this one (those the principal may read; `hidden` counts the others)',
          tags: ['types'],
          params: ItemParamsSchema,
          response: problems(400, 401, 403, 404),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        await readableItem(context, request, type, name);
        const referrers = await store.references(type, name);
        const readable = [];
        for (const referrer of referrers) {
          const item = (await store.load(referrer.type, referrer.name)).data;
          if (item && refusalReason(request.principal, 'read', item) === undefined) readable.push(referrer);
        }
        return { referrers: readable, hidden: referrers.length - readable.length };
      },
    );
  },
};
