import { z } from 'zod';
import { eventKinds } from '../../events/document.js';
import type { Capability } from '../api.js';
import { mayReadEvent, readableItem } from '../access/authorize.js';
import { ItemParamsSchema, problems, QueryDateTimeSchema, QueryIntegerSchema, QueryListSchema } from '../http/schemas.js';

const HistoryQuerySchema = z
  .object({
    limit: QueryIntegerSchema.optional(),
    offset: QueryIntegerSchema.optional(),
    since: QueryDateTimeSchema.optional(),
    until: QueryDateTimeSchema.optional(),
    actor: z.string().min(1).optional(),
    kinds: QueryListSchema.pipe(z.array(z.enum(eventKinds))).optional(),
  })
  .strict();

/** An item's events, newest first, with who / why / when; events the principal may not read are left out. */
export const historyCapability: Capability = {
  register(api, context) {
    api.get(
      '/items/:type/:name/history',
      {
        schema: {
          summary: "An item's audit trail, newest first",
          tags: ['history'],
          params: ItemParamsSchema,
          querystring: HistoryQuerySchema,
          response: problems(400, 401, 403, 404),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        await readableItem(context, request, type, name);
        const page = await context.store.history(type, name, request.query);
        return { ...page, events: page.events.filter((event) => mayReadEvent(request.principal, event)) };
      },
    );
  },
};
