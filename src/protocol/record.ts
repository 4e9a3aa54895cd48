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
  /** The item's id; the store gives a new item a UUID, and an existing item's id cannot change. */
  id: z.string().optional(),
  /** The item's name, unique within its type. */
  name: z.string({ required_error: 'name is required', invalid_type_error: 'name must be a string' }),
  /** The item's metadata type, e.g. `object` or `field`. */
  type: z.string({ required_error: 'type is required', invalid_type_error: 'type must be a string' }),
  /** A grouping of items, e.g. an app or a team (default `default`). */
  namespace: z.string().default('default'),
  /** Who the item belongs to: `system`, `platform` (default) or `user`; it decides who may read and change it. */
  scope: MetadataScopeSchema.default('platform'),
  /** The document itself: a JSON object. */
  metadata: MetadataPayloadSchema,
  /** The name of the item (same type) this one overlays; its `strategy` says how the two combine. */
  extends: z.string().optional(),
  /** How an item that `extends` another combines with it: `merge` (default, a JSON merge patch) or `replace`. */
  strategy: MetadataStrategySchema.default('merge'),
  /** The principal id a `user` item belongs to. */
  owner: z.string().optional(),
  /** Lifecycle state: `draft`, `active` (default), `archived` or `deprecated`. */
  state: MetadataStateSchema.default('active'),
  /** Who created the item; the database store records the actor of its first change (a value given is not kept). */
  createdBy: z.string().optional(),
  /** When the item was created; the database store records its first change's time (a value given is not kept). */
  createdAt: IsoDateTimeSchema.optional(),
  /** Who changed the item last; the database store records the actor of its latest change (a value given is not kept). */
  updatedBy: z.string().optional(),
  /** When the item last changed; the database store records its latest change's time (a value given is not kept). */
  updatedAt: IsoDateTimeSchema.optional(),
});

/** What a loader can say about an item without its content; every field may be absent. */
export const MetadataStatsSchema = z.object({
  /** The path of the item's file. */
  path: z.string().optional(),
  /** Size of the item's content, in bytes. */
  size: z.number().optional(),
  /** When the item's content last changed. */
  mtime: IsoDateTimeSchema.optional(),
  /** SHA-256 of the item's content, hex. */
  hash: z.string().optional(),
  /** The item's etag, as a conditional load or save takes it. */
  etag: z.string().optional(),
  /** The reference's alias of `mtime`. */
  modifiedAt: IsoDateTimeSchema.optional(),
  /** The format of the item's file. */
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
