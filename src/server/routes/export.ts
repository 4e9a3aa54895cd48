import { z } from 'zod';
import { exportBundle, readExportSnapshot } from '../../service/export/export-metadata.js';
import { parseMomentText } from '../../change/releases/tag-moment.js';
import type { Capability } from '../api.js';
import { problems, QueryFlagSchema, QueryListSchema } from '../http/schemas.js';

const ExportQuerySchema = z
  .object({
    types: QueryListSchema.optional(),
    namespaces: QueryListSchema.optional(),
    history: QueryFlagSchema.optional().describe("add each item's events"),
    at: z.string().max(200).optional().describe('the items as they were at a moment: a tag (tag:v1.2), a log position or an ISO date-time'),
  })
  .strict();

/** The items the principal may read, as the bundle `metaledger export` writes (and import reads back). */
export const exportCapability: Capability = {
  register(api, { store }) {
    api.get(
      '/export',
      {
        schema: {
          summary: 'Export the items the principal may read as one JSON bundle',
          tags: ['operations'],
          querystring: ExportQuerySchema,
          response: problems(400, 401),
        },
      },
      async (request) => {
        const { types, namespaces, history, at } = request.query;
        const { items, position } = await readExportSnapshot(
          store,
          { types, namespaces, includeHistory: history ?? false, principal: request.principal },
          undefined,
          at === undefined ? undefined : parseMomentText(at, 'at'),
        );
        return exportBundle(items, position);
      },
    );
  },
};
