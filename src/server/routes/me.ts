import type { Capability } from '../api.js';
import { problems } from '../http/schemas.js';

/** Who the credentials name: the console's sign-in check. */
export const meCapability: Capability = {
  register(api) {
    api.get(
      '/me',
      { schema: { summary: 'The principal the request acts as', tags: ['auth'], response: problems(401) } },
      async (request) => ({
        id: request.principal.id,
        roles: request.principal.roles,
        authenticated: request.authenticated,
      }),
    );
  },
};
