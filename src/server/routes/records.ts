import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors.js';
import {
  MetadataConflictStrategySchema,
  MetadataRecordSchema,
  MetadataScopeSchema,
  MetadataStateSchema,
  type MetadataRecordInput,
} from '../../protocol/index.js';
import type { Capability } from '../api.js';
import { keepRawBody, rawBodyOf } from '../http/raw-body.js';
import { expectedEtagOf, ifNoneMatchOf } from '../http/preconditions.js';
import { ItemParamsSchema, problems, QueryFlagSchema, QueryIntegerSchema, ReasonSchema, TypeParamsSchema } from '../http/schemas.js';

const ListQuerySchema = z
  .object({
    namespace: z.string().min(1).optional(),
    scope: MetadataScopeSchema.optional(),
    state: MetadataStateSchema.optional(),
    owner: z.string().min(1).optional(),
    limit: QueryIntegerSchema.optional(),
    loader: z.string().min(1).optional(),
  })
  .strict();

const GetQuerySchema = z
  .object({
    raw: QueryFlagSchema.optional().describe('the item as stored, without overlays'),
    explain: QueryFlagSchema.optional().describe('add `layers`: where each part of the effective item came from'),
    owner: z.string().min(1).optional().describe("whose user overlays to apply (admins); default the caller's"),
    loader: z.string().min(1).optional(),
  })
  .strict();

const PutQuerySchema = z.object({ onConflict: MetadataConflictStrategySchema.optional(), reason: ReasonSchema }).strict();
const DeleteQuerySchema = z.object({ reason: ReasonSchema }).strict();

/** The body of a PUT: a record without its type (the URL gives type and name). */
const RecordBodySchema = MetadataRecordSchema.omit({ type: true }).partial({ name: true });

/** Records through the service: access control per principal, overlays resolved, ETag / If-Match / If-None-Match. */
export const recordsCapability: Capability = {
  register(api, { service }) {
    api.get(
      '/records/:type',
      {
        schema: {
          summary: 'List the items of a type the principal may read',
          tags: ['records'],
          params: TypeParamsSchema,
          querystring: ListQuerySchema,
          response: problems(400, 401),
        },
      },
      async (request) => {
        const { namespace, scope, state, owner, limit, loader } = request.query;
        const filters = Object.fromEntries(Object.entries({ namespace, scope, state, owner }).filter(([, value]) => value !== undefined));
        const items = await service.list(request.params.type, {
          principal: request.principal,
          correlationId: request.correlationId,
          filters,
          limit,
          loader,
        });
        return { items };
      },
    );

    api.get(
      '/records/:type/:name',
      {
        schema: {
          summary: 'One item, overlays resolved (or raw); ETag, If-None-Match → 304',
          tags: ['records'],
          params: ItemParamsSchema,
          querystring: GetQuerySchema,
          response: problems(304, 400, 401, 403, 404),
        },
      },
      async (request, reply) => {
        const { type, name } = request.params;
        const { raw, explain, owner, loader } = request.query;
        const item = await service.get(type, name, {
          principal: request.principal,
          correlationId: request.correlationId,
          raw,
          explain,
          owner,
          loader,
        });
        if (!item) throw new NotFoundError(`${type}/${name} does not exist`);
        const { etag, ...record } = item;
        reply.header('etag', etag);
        const ifNoneMatch = ifNoneMatchOf(request);
        if (ifNoneMatch === '*' || ifNoneMatch?.includes(etag)) return reply.code(304).send();
        return record;
      },
    );

    api.put(
      '/records/:type/:name',
      {
        config: { access: 'write' },
        preValidation: keepRawBody,
        schema: {
          summary: 'Create or replace an item; If-Match: "v<n>" or If-None-Match: * make it conditional',
          tags: ['records'],
          params: ItemParamsSchema,
          querystring: PutQuerySchema,
          body: RecordBodySchema,
          response: problems(400, 401, 403, 409, 412, 413, 415),
        },
      },
      async (request, reply) => {
        const { type, name } = request.params;
        if (request.body.name !== undefined && request.body.name !== name)
          throw new ValidationError(
            [{ path: 'name', message: `the body says '${request.body.name}' but the URL says '${name}'` }],
            'invalid record',
          );
        const expectedEtag = await expectedEtagOf(
          request,
          async () => (await service.get(type, name, { principal: request.principal, raw: true }))?.etag,
        );
        // the parsed body carries the schema's defaults: pass on only what the client gave
        const given = rawBodyOf(request) as Omit<MetadataRecordInput, 'type'>;
        const result = await service.register(
          type,
          { ...given, name },
          {
            principal: request.principal,
            correlationId: request.correlationId,
            reason: request.query.reason,
            onConflict: request.query.onConflict,
            expectedEtag,
          },
        );
        reply.header('etag', result.etag);
        return reply.code(result.created ? 201 : 200).send(result);
      },
    );

    api.delete(
      '/records/:type/:name',
      {
        config: { access: 'write' },
        schema: {
          summary: 'Delete an item; If-Match makes it conditional',
          tags: ['records'],
          params: ItemParamsSchema,
          querystring: DeleteQuerySchema,
          response: problems(400, 401, 403, 404, 409, 412),
        },
      },
      async (request) => {
        const { type, name } = request.params;
        const expectedEtag = await expectedEtagOf(
          request,
          async () => (await service.get(type, name, { principal: request.principal, raw: true }))?.etag,
        );
        return service.unregister(type, name, {
          principal: request.principal,
          correlationId: request.correlationId,
          reason: request.query.reason,
          expectedEtag: expectedEtag ?? undefined,
        });
      },
    );
  },
};
