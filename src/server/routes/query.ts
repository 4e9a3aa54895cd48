import {
  MetadataQueryOptionsSchema,
  type MetadataQueryOptionsInput,
  type MetadataScope,
  type StrictMetadataQueryOptionsInput,
} from '../../protocol/index.js';
import { isAdmin, type Principal } from '../../service/principal.js';
import type { Capability } from '../api.js';
import { keepRawBody, rawBodyOf } from '../http/raw-body.js';
import { problems } from '../http/schemas.js';

const sharedScopes: MetadataScope[] = ['system', 'platform'];

/**
 * The filters narrowed to what the principal may read: admins see everything; others see shared items,
 * and with `filters.owner` set to themselves, their own items.
 */
export function readableFilters(
  principal: Principal,
  filters: MetadataQueryOptionsInput['filters'] = {},
): MetadataQueryOptionsInput['filters'] {
  if (isAdmin(principal) || filters.owner === principal.id) return filters;
  const asked = filters.scope === undefined ? sharedScopes : [filters.scope].flat();
  return {
    ...filters,
    scope: asked.filter((scope) => sharedScopes.includes(scope as MetadataScope)) as [MetadataScope, ...MetadataScope[]],
  };
}

/** The driver's query: filters (envelope and custom JSON paths), sort, pagination, select, over what the principal may read. */
export const queryCapability: Capability = {
  register(api, { driver }) {
    api.post(
      '/query',
      {
        preValidation: keepRawBody,
        schema: {
          summary: 'Query items: filters, custom JSON-path conditions, sort, pagination, select',
          tags: ['records'],
          body: MetadataQueryOptionsSchema,
          response: problems(400, 401, 413, 415),
        },
      },
      async (request) => {
        const options = (rawBodyOf(request) ?? {}) as MetadataQueryOptionsInput;
        const filters = readableFilters(request.principal, options.filters);
        // no scope left to read (a non-admin asking only for others' user items): nothing matches
        if (Array.isArray(filters?.scope) && filters.scope.length === 0) return { records: [], total: 0, hasMore: false };
        return driver.query({ ...options, filters } as StrictMetadataQueryOptionsInput);
      },
    );
  },
};
