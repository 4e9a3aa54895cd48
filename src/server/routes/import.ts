import { z } from 'zod';
import { MetadataImportStrategySchema } from '../../protocol/index.js';
import { importSource } from '../../service/import/import-metadata.js';
import { sourceOfBundle } from '../../service/import/read-import-source.js';
import type { Capability } from '../api.js';
import { problems, QueryFlagSchema, ReasonSchema } from '../http/schemas.js';

const ImportQuerySchema = z
  .object({
    strategy: MetadataImportStrategySchema.optional(),
    dryRun: QueryFlagSchema.optional(),
    validate: QueryFlagSchema.optional(),
    allowSystem: QueryFlagSchema.optional().describe('a deploy by an admin: may create and change system items'),
    reason: ReasonSchema,
  })
  .strict();

/** An export bundle, an array of records or one record. */
const BundleSchema = z.union([
  z.object({ items: z.array(z.record(z.unknown())) }).passthrough(),
  z.array(z.record(z.unknown())),
  z.record(z.unknown()),
]);

/** Imports a bundle in one changeset, every item checked against the access rules as the principal; dryRun reports the plan. */
export const importCapability: Capability = {
  register(api, { store }) {
    api.post(
      '/import',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Import a bundle (as export writes it) in one changeset',
          tags: ['operations'],
          querystring: ImportQuerySchema,
          body: BundleSchema,
          response: problems(400, 401, 403, 413, 415),
        },
      },
      async (request) => {
        const { strategy, dryRun, validate, allowSystem, reason } = request.query;
        return importSource(store, sourceOfBundle(request.body, 'request'), {
          source: 'http request',
          strategy,
          dryRun,
          validate,
          allowSystem,
          principal: request.principal,
          actor: request.principal.id,
          reason,
          correlationId: request.correlationId,
        });
      },
    );
  },
};
