import { z } from 'zod';
import { forwardIssues, oneOrMany } from '../internal.js';
import { isPlainObject, JsonValueSchema, type JsonValue } from '../json.js';
import { MetadataSortOrderSchema } from '../query.js';
import { MetadataScopeSchema, MetadataStateSchema } from '../record.js';
import { MetadataNamespaceSchema, MetadataRecordNameSchema, MetadataTypeNameSchema } from './record.js';

/*
 * Metaledger's strict layer for queries: what the driver checks before it compiles a query, on top of
 * the protocol's MetadataQueryFilters / MetadataQueryOptions. Filter keys, operators and sortable or
 * selectable fields are checked (a mistyped one would otherwise widen the result silently), and custom
 * conditions are normalised to operator form for the query compiler.
 */

/* ------------------------------------------------------------------ paths */

/** What a JSON path into `metadata` may look like in a filter or sort (`metadata.a.b`). */
export const METADATA_JSON_PATH_PATTERN = /^[A-Za-z0-9_./-]+$/;

/** A path into the metadata document: dotted ('fields.amount.label') or JSON-Pointer-like ('/fields/amount'). */
export const MetadataJsonPathSchema = z.string().refine(
  (value) => METADATA_JSON_PATH_PATTERN.test(value),
  (value) => ({
    message: `${JSON.stringify(value)} is not a valid JSON path: use 'fields.amount.label' or '/fields/amount' (letters, digits, _ . / -)`,
  }),
);

/** Record envelope fields that can be sorted on, selected or compared. */
export const METADATA_ENVELOPE_FIELDS = [
  'id',
  'name',
  'type',
  'namespace',
  'scope',
  'state',
  'owner',
  'extends',
  'strategy',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
] as const;

const METADATA_FIELD_PATH = /^metadata\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const ENVELOPE_FIELD_SET: ReadonlySet<string> = new Set(METADATA_ENVELOPE_FIELDS);

/** An envelope field or 'metadata.<dotted.path>'. */
export const MetadataSortFieldSchema = z.string().refine(
  (value) => ENVELOPE_FIELD_SET.has(value) || METADATA_FIELD_PATH.test(value),
  (value) => ({
    message: `cannot sort by ${JSON.stringify(value)}: use one of ${METADATA_ENVELOPE_FIELDS.join(', ')} or 'metadata.<path>'`,
  }),
);

/** As for sorting, plus 'metadata' for the whole document. */
export const MetadataSelectFieldSchema = z.string().refine(
  (value) => value === 'metadata' || ENVELOPE_FIELD_SET.has(value) || METADATA_FIELD_PATH.test(value),
  (value) => ({
    message: `cannot select ${JSON.stringify(value)}: use one of ${METADATA_ENVELOPE_FIELDS.join(', ')}, 'metadata' or 'metadata.<path>'`,
  }),
);

/* -------------------------------------------------------- custom filters */

/** The operators a field filter may use. */
export const METADATA_FILTER_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$contains',
  '$like',
] as const;

/** One filter operator. */
export type MetadataFilterOperator = (typeof METADATA_FILTER_OPERATORS)[number];

const OPERATOR_SET: ReadonlySet<string> = new Set(METADATA_FILTER_OPERATORS);

// Ordering comparisons are only meaningful on numbers and strings (ISO dates compare as strings).
const ComparableSchema = z.union([z.string(), z.number().finite()]);

// Empty $in / $nin arrays are allowed: they mean "matches nothing" / "matches everything".
/** A field filter: one or more operators with their operands. */
export const MetadataFilterOperatorsSchema = z
  .object({
    /** The value at the path equals this JSON value. */
    $eq: JsonValueSchema.optional(),
    /** The value at the path is not this JSON value; an item without one matches. */
    $ne: JsonValueSchema.optional(),
    /** The value is greater than this number or string (compared only with a value of the same type). */
    $gt: ComparableSchema.optional(),
    /** The value is greater than or equal to this number or string (same type only). */
    $gte: ComparableSchema.optional(),
    /** The value is less than this number or string (same type only). */
    $lt: ComparableSchema.optional(),
    /** The value is less than or equal to this number or string (same type only). */
    $lte: ComparableSchema.optional(),
    /** The value is one of these; an empty list matches nothing. */
    $in: z.array(JsonValueSchema, { invalid_type_error: '$in needs an array of values' }).optional(),
    /** The value is none of these (an item without one matches); an empty list matches everything. */
    $nin: z.array(JsonValueSchema, { invalid_type_error: '$nin needs an array of values' }).optional(),
    /** true: the path has a value; false: it has none. */
    $exists: z.boolean({ invalid_type_error: '$exists needs true or false' }).optional(),
    /** The value contains this, as JSONB containment: a scalar is looked for as an element of an array, or as the value itself. */
    $contains: JsonValueSchema.optional(),
    /** The value matches this SQL LIKE pattern (`%` any run of characters, `_` one character), case-sensitive. */
    $like: z.string({ invalid_type_error: '$like needs a string pattern' }).optional(),
  })
  .strict();

export type MetadataFilterOperators = z.infer<typeof MetadataFilterOperatorsSchema>;

/**
 * One condition on a JSON path: a plain JSON value (meaning $eq) or an object of operators.
 * The parsed value is always normalised to the operator form, so `5` becomes `{ $eq: 5 }`.
 */
export const MetadataCustomFilterConditionSchema = z.unknown().transform((value, ctx): MetadataFilterOperators => {
  if (isPlainObject(value) && Object.keys(value).some((key) => key.startsWith('$'))) {
    let valid = true;
    for (const key of Object.keys(value)) {
      if (OPERATOR_SET.has(key)) {
        if (value[key] === undefined) {
          valid = false;
          ctx.addIssue({ code: 'custom', path: [key], message: `operator '${key}' needs a value` });
        }
        continue;
      }
      valid = false;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: key.startsWith('$')
          ? `unknown filter operator '${key}'; expected one of ${METADATA_FILTER_OPERATORS.join(', ')}`
          : `'${key}' cannot be mixed with operators in one condition; to match an object literally use { $eq: {...} }`,
      });
    }
    if (!valid) return z.NEVER;
    const result = MetadataFilterOperatorsSchema.safeParse(value);
    if (!result.success) {
      forwardIssues(ctx, result.error);
      return z.NEVER;
    }
    return result.data;
  }
  const result = JsonValueSchema.safeParse(value);
  if (!result.success) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a JSON value (meaning $eq) or an operator object such as { $gt: 5 }',
    });
    return z.NEVER;
  }
  return { $eq: result.data };
}) as unknown as z.ZodType<MetadataFilterOperators, z.ZodTypeDef, JsonValue | MetadataFilterOperators>;

/* ---------------------------------------------------------------- filters */

/** Query filters as the driver checks them: known fields or JSON paths, known operators. */
export const StrictMetadataQueryFiltersSchema = z
  .object({
    /** Only items of this type, or of one of these (a list must not be empty). */
    type: oneOrMany(MetadataTypeNameSchema, { nonEmpty: true, what: 'type' }).optional(),
    /** Only items with this name, or one of these (a list must not be empty). */
    name: oneOrMany(MetadataRecordNameSchema, { nonEmpty: true, what: 'name' }).optional(),
    /** Only items in this namespace, or one of these (a list must not be empty). */
    namespace: oneOrMany(MetadataNamespaceSchema, { nonEmpty: true, what: 'namespace' }).optional(),
    /** Only items of this scope, or one of these (a list must not be empty). */
    scope: oneOrMany(MetadataScopeSchema, { nonEmpty: true, what: 'scope' }).optional(),
    /** Only items in this state, or one of these (a list must not be empty); naming `archived` includes archived items. */
    state: oneOrMany(MetadataStateSchema, { nonEmpty: true, what: 'state' }).optional(),
    /** Only the items of this owner. */
    owner: z.string().min(1).optional(),
    /** JSON path into `metadata` → condition: a plain JSON value (equality) or operators such as `{ $gte: 2 }`. */
    custom: z.record(MetadataJsonPathSchema, MetadataCustomFilterConditionSchema).optional(),
  })
  .strict();

/* ------------------------------------------------------ sort / pagination */

/** A sort key as the driver checks it. */
export const StrictMetadataSortSchema = z.object({
  /** The field to sort by: an envelope field (`name`, `updatedAt`, …) or `metadata.<path>`. */
  field: MetadataSortFieldSchema,
  /** `asc` (default) or `desc`. */
  order: MetadataSortOrderSchema.default('asc'),
});

/** A page as the driver checks it: positive number, size within the bound. */
export const StrictMetadataPaginationSchema = z.object({
  /** Which page, from 1 (default 1). */
  page: z.number().int().min(1).default(1),
  /** Records per page, 1 to 1000 and at most the driver's query.maxResultSize (default 100). */
  pageSize: z.number().int().min(1).max(1000).default(100),
});

/** The protocol's query options, checked; `limit` (at most this many records, no page) is metaledger's. */
export const StrictMetadataQueryOptionsSchema = z.object({
  /** Which records match; default all (but archived ones). */
  filters: StrictMetadataQueryFiltersSchema.default({}),
  /** Sort keys, most significant first; ties are ordered by type and name. */
  sort: z.array(StrictMetadataSortSchema).optional(),
  /** Which page; refused with `limit`, or when the driver's query.enablePagination is false. Default: the first, of query.defaultPageSize records. */
  pagination: StrictMetadataPaginationSchema.optional(),
  /** Return only these fields of each record (envelope fields, `metadata` or `metadata.<path>`); default all. */
  select: z.array(MetadataSelectFieldSchema).optional(),
  /** Include archived items (default false, unless `filters.state` names `archived`). */
  includeArchived: z.boolean().default(false),
  /** metaledger's: at most this many records, no pages; at most the driver's query.maxResultSize. */
  limit: z.number().int().positive().optional(),
});

export type MetadataJsonPath = z.infer<typeof MetadataJsonPathSchema>;
/** A record field a filter or sort may name directly. */
export type MetadataEnvelopeField = (typeof METADATA_ENVELOPE_FIELDS)[number];
export type MetadataFilterOperatorsInput = z.input<typeof MetadataFilterOperatorsSchema>;
export type MetadataCustomFilterCondition = z.infer<typeof MetadataCustomFilterConditionSchema>;
export type MetadataCustomFilterConditionInput = z.input<typeof MetadataCustomFilterConditionSchema>;
export type StrictMetadataQueryFilters = z.infer<typeof StrictMetadataQueryFiltersSchema>;
export type StrictMetadataSort = z.infer<typeof StrictMetadataSortSchema>;
export type StrictMetadataQueryOptions = z.infer<typeof StrictMetadataQueryOptionsSchema>;
export type StrictMetadataQueryOptionsInput = z.input<typeof StrictMetadataQueryOptionsSchema>;
