import { z } from 'zod';

/** ISO 8601 date-time with 'Z' or a numeric offset, e.g. 2024-01-31T12:00:00Z. */
export const IsoDateTimeSchema = z
  .string({ invalid_type_error: 'must be an ISO 8601 date-time string' })
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2024-01-31T12:00:00Z' });

export const MetadataScopeSchema = z.enum(['system', 'platform', 'user']);

export const MetadataStateSchema = z.enum(['draft', 'active', 'archived', 'deprecated']);

/** How a record that `extends` another is combined with its parent. */
export const MetadataStrategySchema = z.enum(['merge', 'replace']);

export const MetadataFormatSchema = z.enum(['json', 'yaml', 'typescript', 'javascript']);

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const FORBIDDEN_NAME_CHARS = /[\u0000-\u001F\u007F/]/;

/** Surrounding whitespace is trimmed (a user never means it); '/' is reserved as a path separator. */
export const MetadataRecordNameSchema = z
  .string({ required_error: 'name is required', invalid_type_error: 'name must be a string' })
  .trim()
  .min(1, { message: 'name must not be empty' })
  .max(255, { message: 'name must be at most 255 characters' })
  .refine((value) => !FORBIDDEN_NAME_CHARS.test(value), {
    message: "name must not contain '/' or control characters",
  });

export const MetadataTypeNameSchema = z
  .string({ required_error: 'type is required', invalid_type_error: 'type must be a string' })
  .min(1, { message: 'type must not be empty' })
  .max(100, { message: 'type must be at most 100 characters' });

export const MetadataNamespaceSchema = z
  .string()
  .min(1, { message: 'namespace must not be empty' })
  .max(255, { message: 'namespace must be at most 255 characters' });

/** The JSON document itself: an object, never an array, null or a primitive (stored as JSONB). */
export const MetadataPayloadSchema = z.record(z.string(), z.unknown(), {
  required_error: 'metadata is required',
  invalid_type_error: 'metadata must be a JSON object (not an array, null or a primitive)',
});

// Length limits mirror the VARCHAR sizes of the spec's default table.
export const MetadataRecordSchema = z.object({
  id: z.string().min(1).max(255).optional(),
  name: MetadataRecordNameSchema,
  type: MetadataTypeNameSchema,
  namespace: MetadataNamespaceSchema.default('default'),
  scope: MetadataScopeSchema.default('platform'),
  metadata: MetadataPayloadSchema,
  extends: z.string().min(1).max(255).optional(),
  strategy: MetadataStrategySchema.default('merge'),
  owner: z.string().max(255).optional(),
  state: MetadataStateSchema.default('active'),
  createdBy: z.string().max(255).optional(),
  createdAt: IsoDateTimeSchema.optional(),
  updatedBy: z.string().max(255).optional(),
  updatedAt: IsoDateTimeSchema.optional(),
  version: z.number().int().min(0).optional(),
});

// Only `format` is optional: every loader can compute size, mtime and a content hash / etag.
export const MetadataStatsSchema = z.object({
  size: z.number().int().min(0),
  mtime: IsoDateTimeSchema,
  hash: z.string().min(1),
  etag: z.string().min(1),
  format: MetadataFormatSchema.optional(),
});

export type IsoDateTime = z.infer<typeof IsoDateTimeSchema>;
export type MetadataScope = z.infer<typeof MetadataScopeSchema>;
export type MetadataState = z.infer<typeof MetadataStateSchema>;
export type MetadataStrategy = z.infer<typeof MetadataStrategySchema>;
export type MetadataFormat = z.infer<typeof MetadataFormatSchema>;
export type MetadataPayload = z.infer<typeof MetadataPayloadSchema>;
export type MetadataRecord = z.infer<typeof MetadataRecordSchema>;
export type MetadataRecordInput = z.input<typeof MetadataRecordSchema>;
export type MetadataStats = z.infer<typeof MetadataStatsSchema>;
