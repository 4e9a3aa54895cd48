import type { Capability } from '../api.js';
import { isAdmin } from '../../service/principal.js';
import { problems } from '../http/schemas.js';

/** The types the store holds, with how many items of each the principal may read (the console's browser). */
export const typesCapability: Capability = {
  register(api, { store }) {
    api.get(
      '/types',
      { schema: { summary: 'Types and item counts visible to the principal', tags: ['records'], response: problems(401) } },
      async (request) => ({
        types: await store.countByType(isAdmin(request.principal) ? undefined : request.principal.id),
      }),
    );
  },
};
