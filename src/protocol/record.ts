import { z } from 'zod';

/*
 * The record envelope, as the protocol defines it. These schemas parse like the reference
 * implementation's: anything it accepts is accepted and parsed to the same value. What metaledger
 * checks on top (names, lengths, JSON-only payloads) lives in the strict layer (`strict/record.ts`).
 */

/** ISO 8601 date-time with 'Z' or a numeric offset, e.g. 2024-01-31T12:00:00Z (the reference takes 'Z' only). */
export const IsoDateTimeSchema = z
  .string({ invalid_type_error: 'must be an ISO 8601 date-time string' })
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2024-01-31T12:00:00Z' });

/** Who an item belongs to: system (read-only at runtime), platform (admins), user (its owner). */
export const MetadataScopeSchema = z.enum(['system', 'platform', 'user']);

/** An item's lifecycle state. */
export const MetadataStateSchema = z.enum(['draft', 'active', 'archived', 'deprecated']);

/** How a record that `extends` another is combined with its parent. */
export const MetadataStrategySchema = z.enum(['merge', 'replace']);

/** Serialization formats: `yml` beside `yaml`, and `ts` / `js` beside their long names. */
export const MetadataFormatSchema = z.enum(['json', 'yaml', 'yml', 'ts', 'js', 'typescript', 'javascript']);

/** The JSON document itself: an object, never an array, null or a primitive (stored as JSONB). */
export const MetadataPayloadSchema = z.record(z.string(), z.unknown(), {
  required_error: 'metadata is required',
  invalid_type_error: 'metadata must be a JSON object (not an array, null or a primitive)',
});

/**
 * One metadata item. `id` is optional here (the reference requires it): the store assigns one to a
 * new item. Names and types are plain strings, kept exactly as given.
 */
export const MetadataRecordSchema = z.object({
  id: z.string().optional(),
  name: z.string({ required_error: 'name is required', invalid_type_error: 'name must be a string' }),
  type: z.string({ required_error: 'type is required', invalid_type_error: 'type must be a string' }),
  namespace: z.string().default('default'),
  scope: MetadataScopeSchema.default('platform'),
  metadata: MetadataPayloadSchema,
  extends: z.string().optional(),
  strategy: MetadataStrategySchema.default('merge'),
  owner: z.string().optional(),
  state: MetadataStateSchema.default('active'),
  createdBy: z.string().optional(),
  createdAt: IsoDateTimeSchema.optional(),
  updatedBy: z.string().optional(),
  updatedAt: IsoDateTimeSchema.optional(),
});

/** What a loader can say about an item without its content; every field may be absent. */
export const MetadataStatsSchema = z.object({
  path: z.string().optional(),
  size: z.number().optional(),
  mtime: IsoDateTimeSchema.optional(),
  hash: z.string().optional(),
  etag: z.string().optional(),
  /** The reference's alias of `mtime`. */
  modifiedAt: IsoDateTimeSchema.optional(),
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
