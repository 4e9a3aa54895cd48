import { z } from 'zod';
import type { Capability } from '../api.js';
import { readableItem } from '../access/authorize.js';
import { authorizeState } from '../access/readable-state.js';
import { ItemParamsSchema, problems, QueryDateTimeSchema } from '../http/schemas.js';

/** One side of a diff: a version number or an ISO date-time. */
const SideSchema = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  QueryDateTimeSchema,
]);

const DiffQuerySchema = z.object({ from: SideSchema, to: SideSchema }).strict();

/** The JSON patch between two versions (or times) of an item, with both states. */
export const diffCapability: Capability = {
  register(api, context) {
    api.get(
      '/items/:type/:name/diff',
      {
        schema: {
          summary: 'Diff two versions or times of an item',
          tags: ['history'],
          params: ItemParamsSchema,
          querystring: DiffQuerySchema,
          response: problems(400, 401, 403, 404, 410),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        await readableItem(context, request, type, name);
        const diff = await context.store.diff(type, name, request.query.from, request.query.to);
        await authorizeState(context, request, diff.from);
        await authorizeState(context, request, diff.to);
        return diff;
      },
    );
  },
};
