import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { Moment } from '../../history/moment.js';
import type { Capability } from '../api.js';
import { readableItem } from '../access/authorize.js';
import { authorizeState } from '../access/readable-state.js';
import { ItemParamsSchema, problems, QueryDateTimeSchema, QueryIntegerSchema } from '../http/schemas.js';

const AtQuerySchema = z
  .object({ version: QueryIntegerSchema.optional(), asOf: QueryDateTimeSchema.optional(), position: QueryIntegerSchema.optional() })
  .strict()
  .describe('exactly one of version, asOf or position');

/** The item exactly as it was at a version, a time or a log position. */
export const timeTravelCapability: Capability = {
  register(api, context) {
    api.get(
      '/items/:type/:name/at',
      {
        schema: {
          summary: 'The item at a version, time or log position',
          tags: ['history'],
          params: ItemParamsSchema,
          querystring: AtQuerySchema,
          response: problems(400, 401, 403, 404, 410),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        const given = Object.entries(request.query).filter(([, value]) => value !== undefined);
        if (given.length !== 1)
          throw new ValidationError([{ path: 'query', message: 'give exactly one of version, asOf or position' }], 'invalid moment');
        await readableItem(context, request, type, name);
        const state = await context.store.getAt(type, name, Object.fromEntries(given) as Moment);
        await authorizeState(context, request, state);
        return state;
      },
    );
  },
};
