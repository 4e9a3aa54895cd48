import { z } from 'zod';

export const MetadataIsolationLevelSchema = z.enum(['read_uncommitted', 'read_committed', 'repeatable_read', 'serializable']);

export type MetadataIsolationLevel = z.infer<typeof MetadataIsolationLevelSchema>;
