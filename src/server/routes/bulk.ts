import { z } from 'zod';
import {
  MetadataBulkOperationSchema,
  type MetadataBulkOperationInput,
  type MetadataScope,
  type StrictMetadataBulkOperationInput,
} from '../../protocol/index.js';
import type { Capability } from '../api.js';
import { authorize } from '../access/authorize.js';
import { keepRawBody, rawBodyOf } from '../http/raw-body.js';
import { problems, QueryFlagSchema, ReasonSchema } from '../http/schemas.js';

const BulkQuerySchema = z
  .object({ reason: ReasonSchema, allowSystem: QueryFlagSchema.optional().describe('a deploy by an admin: may change system items') })
  .strict();

/** The driver's bulk operation in one changeset; every record is checked against the access rules first. */
export const bulkCapability: Capability = {
  register(api, context) {
    api.post(
      '/bulk',
      {
        config: { access: 'write' },
        preValidation: keepRawBody,
        schema: {
          summary: 'Create, update, upsert or delete many items in one changeset',
          tags: ['records'],
          querystring: BulkQuerySchema,
          body: MetadataBulkOperationSchema,
          response: problems(400, 401, 403, 413, 415),
        },
      },
      async (request) => {
        const operation = rawBodyOf(request) as MetadataBulkOperationInput;
        const flags = { allowSystem: request.query.allowSystem };
        for (const record of operation.records as { type: string; name: string; scope?: MetadataScope; owner?: string }[]) {
          const existing = (await context.store.load(record.type, record.name, { cache: false })).data;
          if (existing) await authorize(context, request, operation.operation === 'delete' ? 'delete' : 'update', existing, flags);
          if (operation.operation === 'delete') continue;
          // what is checked is what is written: scope and owner default to the current item's
          const scope = record.scope ?? existing?.scope ?? 'platform';
          const owner = record.owner ?? existing?.owner;
          await authorize(context, request, existing ? 'update' : 'create', { type: record.type, name: record.name, scope, owner }, flags);
        }
        return context.driver.bulkOperation(operation as StrictMetadataBulkOperationInput, {
          actor: request.principal.id,
          reason: request.query.reason,
          correlationId: request.correlationId,
        });
      },
    );
  },
};
