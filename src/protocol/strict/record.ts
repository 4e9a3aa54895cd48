import { z } from 'zod';
import { MetadataRecordSchema } from '../record.js';

/*
 * Metaledger's strict layer for records: what the store checks before it writes one, on top of the
 * protocol's MetadataRecordSchema. Every record this accepts parses to the same value as with the
 * protocol schema; it refuses names the store cannot key and values longer than the protocol's
 * table columns hold (VARCHAR sizes of the default table).
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const FORBIDDEN_NAME_CHARS = /[\u0000-\u001F\u007F/]/;

/** An item name: not empty, at most 255 characters, no '/' (a path separator) or control characters. Kept as given. */
export const MetadataRecordNameSchema = z
  .string({ required_error: 'name is required', invalid_type_error: 'name must be a string' })
  .min(1, { message: 'name must not be empty' })
  .max(255, { message: 'name must be at most 255 characters' })
  .refine((value) => !FORBIDDEN_NAME_CHARS.test(value), {
    message: "name must not contain '/' or control characters",
  });

/** A metadata type name: 1 to 100 characters (canonical spelling is checked at every entry). */
export const MetadataTypeNameSchema = z
  .string({ required_error: 'type is required', invalid_type_error: 'type must be a string' })
  .min(1, { message: 'type must not be empty' })
  .max(100, { message: 'type must be at most 100 characters' });

/** A namespace: 1 to 255 characters. */
export const MetadataNamespaceSchema = z
  .string()
  .min(1, { message: 'namespace must not be empty' })
  .max(255, { message: 'namespace must be at most 255 characters' });

/** The protocol's record with metaledger's checks, plus the item `version` metaledger records carry. */
export const StrictMetadataRecordSchema = MetadataRecordSchema.extend({
  /** The item's id, 1 to 255 characters; the store gives a new item a UUID, and an existing item's id cannot change. */
  id: z.string().min(1).max(255).optional(),
  /** The item's name, unique within its type: 1 to 255 characters, no '/' or control characters. */
  name: MetadataRecordNameSchema,
  /** The item's metadata type, 1 to 100 characters. */
  type: MetadataTypeNameSchema,
  /** A grouping of items, 1 to 255 characters (default `default`). */
  namespace: MetadataNamespaceSchema.default('default'),
  /** The name of the item (same type) this one overlays, 1 to 255 characters; `strategy` says how the two combine. */
  extends: z.string().min(1).max(255).optional(),
  /** The principal id a `user` item belongs to, at most 255 characters. */
  owner: z.string().max(255).optional(),
  /** Who created the item; the database store records the actor of its first change (a value given is not kept). */
  createdBy: z.string().max(255).optional(),
  /** Who changed the item last; the database store records the actor of its latest change (a value given is not kept). */
  updatedBy: z.string().max(255).optional(),
  /** The item's version in the store, one more with each change; set by the store, not by a save. */
  version: z.number().int().min(0).optional(),
});

/** What a delete needs to find a record: its type and name (id optional). */
export const StrictMetadataRecordRefSchema = z.object({
  /** The item's id: given, the item must have it. */
  id: z.string().min(1).max(255).optional(),
  /** The item's metadata type. */
  type: MetadataTypeNameSchema,
  /** The item's name. */
  name: MetadataRecordNameSchema,
});

export type StrictMetadataRecord = z.infer<typeof StrictMetadataRecordSchema>;
export type StrictMetadataRecordInput = z.input<typeof StrictMetadataRecordSchema>;
export type StrictMetadataRecordRef = z.infer<typeof StrictMetadataRecordRefSchema>;
