import { z } from 'zod';
import { keyProblem, identityProblem, MAX_TYPE_LENGTH } from './canonical-text.js';
import { freeTextProblem, MAX_LABEL_LENGTH, MAX_REASON_LENGTH } from './free-text.js';

/**
 * The strict shapes of the store's call arguments (moments, paging, filters), so a value
 * the database cannot take (an invalid date, a position past bigint, a NUL in a filter) is VALIDATION
 * with its path instead of a database error. Unknown option keys are refused: an option that is not
 * applied must not look accepted.
 */

/** Versions are PostgreSQL integers. */
export const MAX_VERSION = 2_147_483_647;
/** Log positions are bigints; JavaScript numbers hold them exactly up to 2^53 - 1. */
export const MAX_POSITION = Number.MAX_SAFE_INTEGER;
// Dates PostgreSQL's timestamptz and JavaScript both hold, and that a person means: years 1 to 9999.
const EARLIEST = new Date('0001-01-01T00:00:00Z').getTime();
const LATEST = new Date('9999-12-31T23:59:59.999Z').getTime();

const refineWith = (problem: (value: unknown) => string | undefined) => (value: unknown, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

/** A type named in a filter: canonical, as every key. */
export const TypeKeySchema = z
  .unknown()
  .superRefine(refineWith((value) => keyProblem(value, MAX_TYPE_LENGTH))) as unknown as z.ZodType<string>;
/** A namespace or actor named in a filter. */
export const IdentitySchema = z.unknown().superRefine(refineWith((value) => identityProblem(value))) as unknown as z.ZodType<string>;
/** An actor, reason or correlation id recorded with a change. */
export const LabelSchema = z
  .unknown()
  .superRefine(refineWith((value) => freeTextProblem(value, MAX_LABEL_LENGTH))) as unknown as z.ZodType<string>;
export const ReasonSchema = z
  .unknown()
  .superRefine(refineWith((value) => freeTextProblem(value, MAX_REASON_LENGTH))) as unknown as z.ZodType<string>;

/** A point in time: a valid Date, or a string Date parses, in years 1 to 9999. Resolves to the Date. */
export const InstantSchema = z
  .union([z.date(), z.string().max(64)], {
    errorMap: () => ({ message: 'must be a Date or a date-time string, e.g. 2024-01-31T12:00:00Z' }),
  })
  .transform((value, ctx) => {
    const instant = new Date(value);
    const time = instant.getTime();
    if (Number.isNaN(time) || time < EARLIEST || time > LATEST) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(String(value))} is not a date-time in years 1 to 9999` });
      return z.NEVER;
    }
    return instant;
  });

export const VersionSchema = z.number().int().min(0).max(MAX_VERSION);
export const PositionSchema = z.number().int().min(0).max(MAX_POSITION);

/** One of version, asOf or position. */
export const MomentSchema = z.union(
  [
    z.object({ version: VersionSchema }).strict(),
    z.object({ asOf: InstantSchema }).strict(),
    z.object({ position: PositionSchema }).strict(),
  ],
  { errorMap: () => ({ message: 'give one of { version }, { asOf } or { position }' }) },
);

/** One side of a diff: a version, a moment in time, or a log position. */
export const DiffSideSchema = z.union([VersionSchema, InstantSchema, z.object({ position: PositionSchema }).strict()], {
  errorMap: () => ({ message: 'must be a version (integer >= 0), a date-time or { position }' }),
});

const ChangeReasonShape = { actor: LabelSchema.optional(), reason: ReasonSchema.optional(), correlationId: LabelSchema.optional() };

export const RollbackOptionsSchema = z.object({ ...ChangeReasonShape, expectedVersion: VersionSchema.optional() }).strict();

export const RestoreOptionsSchema = z
  .object({
    ...ChangeReasonShape,
    asOf: InstantSchema.optional(),
    position: PositionSchema.optional(),
    namespace: IdentitySchema.optional(),
    types: z.array(TypeKeySchema).optional(),
    dryRun: z.boolean().optional(),
    check: z.function().optional(),
  })
  .strict();

export const SnapshotAtOptionsSchema = z
  .object({
    asOf: InstantSchema.optional(),
    position: PositionSchema.optional(),
    namespace: IdentitySchema.optional(),
    types: z.array(TypeKeySchema).optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const HistoryOptionsSchema = z
  .object({
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).max(MAX_POSITION).optional(),
    since: InstantSchema.optional(),
    until: InstantSchema.optional(),
    actor: LabelSchema.optional(),
    kinds: z.array(z.string()).optional(),
  })
  .strict();

export const ChangesOptionsSchema = z
  .object({
    since: InstantSchema.optional(),
    until: InstantSchema.optional(),
    actor: LabelSchema.optional(),
    types: z.array(TypeKeySchema).optional(),
    namespace: IdentitySchema.optional(),
    changeset: z.string().uuid().optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    after: z.string().max(64).optional(),
  })
  .strict();

export const PruneOptionsSchema = z
  .object({ before: InstantSchema, keepVersions: z.number().int().min(1).max(MAX_VERSION).optional() })
  .strict();

/** `store.list` filters: pushed into SQL, so every value is one the column can hold. */
export const ListFiltersSchema = z
  .object({
    namespace: IdentitySchema.optional(),
    scope: z.enum(['system', 'platform', 'user']).optional(),
    state: z.enum(['draft', 'active', 'archived', 'deprecated']).optional(),
    owner: IdentitySchema.optional(),
    limit: z.number().int().min(0).max(MAX_POSITION).optional(),
    offset: z.number().int().min(0).max(MAX_POSITION).optional(),
  })
  .strict();

/** Change-feed options (`store.watch`, `store.changeStream`): the types filter reaches SQL. */
export const WatchOptionsSchema = z
  .object({
    types: z.array(TypeKeySchema).optional(),
    namespace: IdentitySchema.optional(),
    after: z.string().max(64).optional(),
    from: z.enum(['start', 'end']).optional(),
    pollIntervalMs: z.number().int().min(10).max(3_600_000).optional(),
  })
  .strict();
