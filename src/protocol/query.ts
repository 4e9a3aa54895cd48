import { z } from 'zod';
import { MetadataScopeSchema, MetadataStateSchema } from './record.js';

/*
 * Query filters and options, as the protocol defines them (parsed like the reference). The driver
 * checks more before it runs a query — known filter keys, operators, sortable fields — in the strict
 * layer (`strict/query.ts`).
 */

const stringOrList = z.union([z.string(), z.array(z.string())]);

/** Envelope filters (one value or a list each), the owner, and database-specific custom conditions. */
export const MetadataQueryFiltersSchema = z.object({
  type: stringOrList.optional(),
  name: stringOrList.optional(),
  namespace: stringOrList.optional(),
  scope: z.union([MetadataScopeSchema, z.array(MetadataScopeSchema)]).optional(),
  state: z.union([MetadataStateSchema, z.array(MetadataStateSchema)]).optional(),
  owner: z.string().optional(),
  /** Path → condition: a plain value (equality) or an object of operators such as `{ $gte: 2 }`. */
  custom: z.record(z.string(), z.unknown()).optional(),
});

/** Ascending or descending. */
export const MetadataSortOrderSchema = z.enum(['asc', 'desc']);

/** One sort key: a field and its order. */
export const MetadataSortSchema = z.object({
  field: z.string(),
  order: MetadataSortOrderSchema.default('asc'),
});

/** A page: its number and size. */
export const MetadataPaginationSchema = z.object({
  page: z.number().min(1).default(1),
  pageSize: z.number().min(1).max(1000).default(100),
});

/** The protocol's query options: filters, sort, pagination, selected fields, archived items or not. */
export const MetadataQueryOptionsSchema = z.object({
  filters: MetadataQueryFiltersSchema.optional(),
  sort: z.array(MetadataSortSchema).optional(),
  pagination: MetadataPaginationSchema.optional(),
  select: z.array(z.string()).optional(),
  includeArchived: z.boolean().default(false),
});

export type MetadataQueryFilters = z.infer<typeof MetadataQueryFiltersSchema>;
export type MetadataQueryFiltersInput = z.input<typeof MetadataQueryFiltersSchema>;
export type MetadataSortOrder = z.infer<typeof MetadataSortOrderSchema>;
export type MetadataSort = z.infer<typeof MetadataSortSchema>;
export type MetadataSortInput = z.input<typeof MetadataSortSchema>;
export type MetadataPagination = z.infer<typeof MetadataPaginationSchema>;
export type MetadataPaginationInput = z.input<typeof MetadataPaginationSchema>;
export type MetadataQueryOptions = z.infer<typeof MetadataQueryOptionsSchema>;
export type MetadataQueryOptionsInput = z.input<typeof MetadataQueryOptionsSchema>;
