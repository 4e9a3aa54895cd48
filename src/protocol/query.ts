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
  /** Only items of this type, or of one of these types. */
  type: stringOrList.optional(),
  /** Only items with this name, or one of these names. */
  name: stringOrList.optional(),
  /** Only items in this namespace, or one of these. */
  namespace: stringOrList.optional(),
  /** Only items of this scope, or one of these. */
  scope: z.union([MetadataScopeSchema, z.array(MetadataScopeSchema)]).optional(),
  /** Only items in this state, or one of these; naming `archived` includes archived items. */
  state: z.union([MetadataStateSchema, z.array(MetadataStateSchema)]).optional(),
  /** Only the items of this owner. */
  owner: z.string().optional(),
  /** Path → condition: a plain value (equality) or an object of operators such as `{ $gte: 2 }`. */
  custom: z.record(z.string(), z.unknown()).optional(),
});

/** Ascending or descending. */
export const MetadataSortOrderSchema = z.enum(['asc', 'desc']);

/** One sort key: a field and its order. */
export const MetadataSortSchema = z.object({
  /** The field to sort by: an envelope field (`name`, `updatedAt`, …) or `metadata.<path>`. */
  field: z.string(),
  /** `asc` (default) or `desc`. */
  order: MetadataSortOrderSchema.default('asc'),
});

/** A page: its number and size. */
export const MetadataPaginationSchema = z.object({
  /** Which page, from 1 (default 1). */
  page: z.number().min(1).default(1),
  /** Records per page, 1 to 1000 (default 100). */
  pageSize: z.number().min(1).max(1000).default(100),
});

/** The protocol's query options: filters, sort, pagination, selected fields, archived items or not. */
export const MetadataQueryOptionsSchema = z.object({
  /** Which records match; default all (but archived ones). */
  filters: MetadataQueryFiltersSchema.optional(),
  /** Sort keys, most significant first; ties are ordered by type and name. */
  sort: z.array(MetadataSortSchema).optional(),
  /** Which page; refused when the driver's query.enablePagination is false. Default: the first, of query.defaultPageSize records. */
  pagination: MetadataPaginationSchema.optional(),
  /** Return only these fields of each record (envelope fields, `metadata` or `metadata.<path>`); default all. */
  select: z.array(z.string()).optional(),
  /** Include archived items (default false, unless `filters.state` names `archived`). */
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
