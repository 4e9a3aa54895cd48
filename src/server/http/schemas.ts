import { z } from 'zod';
import { MetadataRecordNameSchema, MetadataTypeNameSchema } from '../../protocol/index.js';
import { jsonSchemaOf } from './zod-schemas.js';

// eslint-disable-next-line no-control-regex -- control characters are what a key may not hold
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** A key part exactly as given: no control characters and nothing the protocol schema would trim. */
const canonical = (schema: z.ZodType<string>, what: string) =>
  z.string().superRefine((value, ctx) => {
    if (controlCharacters.test(value)) ctx.addIssue({ code: 'custom', message: `${what} must not contain control characters` });
    else {
      const parsed = schema.safeParse(value);
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      else if (parsed.data !== value)
        ctx.addIssue({ code: 'custom', message: `${what} must be given in canonical form (no surrounding whitespace)` });
    }
  });

/** `:type` in a route path, as given (canonical or refused). */
export const TypeParamsSchema = z.object({ type: canonical(MetadataTypeNameSchema, 'type') });
/** `:type/:name` in a route path, as given (canonical or refused). */
export const ItemParamsSchema = z.object({
  type: canonical(MetadataTypeNameSchema, 'type'),
  name: canonical(MetadataRecordNameSchema, 'name'),
});

/** `true`/`false` (and `1`/`0`) in a query string. */
export const QueryFlagSchema = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** A non-negative integer in a query string. */
export const QueryIntegerSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number);

/** One value or the same parameter repeated (`?types=a&types=b`), as a list. */
export const QueryListSchema = z.union([z.string().min(1), z.array(z.string().min(1)).max(100)]).transform((value) => [value].flat());

/** An ISO 8601 date-time in a query string. */
export const QueryDateTimeSchema = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2024-01-31T12:00:00Z' });

/** A change's "why", recorded with its changeset. */
export const ReasonSchema = z.string().max(1000).optional();

/** The RFC 9457 problem document every error is sent as. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('the store error code: VALIDATION, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED, …'),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const problemJsonSchema = jsonSchemaOf(ProblemSchema);

/** Error responses for the OpenAPI document, as problem documents. */
export function problems(...statuses: number[]): Record<number, { description: string; content?: Record<string, { schema: unknown }> }> {
  const descriptions: Record<number, string> = {
    304: 'Not modified',
    400: 'Invalid request (malformed JSON, bad parameters, a non-canonical key)',
    401: 'No valid credentials',
    403: 'The principal may not do this',
    404: 'No such item or route',
    409: 'Version conflict',
    410: 'History pruned',
    412: 'Precondition failed (If-Match / If-None-Match)',
    413: 'Request body too large',
    415: 'Unsupported content type',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      status === 304
        ? { description: descriptions[status] }
        : { description: descriptions[status] ?? 'Error', content: { 'application/problem+json': { schema: problemJsonSchema } } },
    ]),
  );
}
