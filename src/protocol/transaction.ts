import { z } from 'zod';

/** Transaction isolation levels, as the protocol spells them. */
export const MetadataIsolationLevelSchema = z.enum(['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable']);

export type MetadataIsolationLevel = z.infer<typeof MetadataIsolationLevelSchema>;
