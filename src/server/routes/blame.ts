import type { Capability } from '../api.js';
import { readableItem } from '../access/authorize.js';
import { ItemParamsSchema, problems } from '../http/schemas.js';

/** Who last set each leaf of the item's current state. */
export const blameCapability: Capability = {
  register(api, context) {
    api.get(
      '/items/:type/:name/blame',
      {
        schema: {
          summary: 'Who last set each value of the current state',
          tags: ['history'],
          params: ItemParamsSchema,
          response: problems(400, 401, 403, 404),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        await readableItem(context, request, type, name);
        return { lines: await context.store.blame(type, name) };
      },
    );
  },
};
