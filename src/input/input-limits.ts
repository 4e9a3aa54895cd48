import { ValidationError } from '../errors.js';

/** How large one record may be. `createMetadataStore({ limits })` sets them per store. */
export interface InputLimits {
  /** Deepest nesting of objects and arrays, counted from the record itself (its `metadata` is level 1). Default 64. */
  maxDepth: number;
  /** Most object keys and array elements in one record, counted over the whole record. Default 100,000. */
  maxKeys: number;
  /** Largest record, in bytes of its compact JSON text (UTF-8; escape characters not counted). Default 1 MiB. */
  maxBytes: number;
}

/** The record limits a store applies unless `createMetadataStore({ limits })` says otherwise. */
export const defaultInputLimits: Readonly<InputLimits> = Object.freeze({ maxDepth: 64, maxKeys: 100_000, maxBytes: 1024 * 1024 });

/** The highest limits accepted: beyond these, PostgreSQL's and V8's own limits would answer first. */
const ceilings: Readonly<InputLimits> = { maxDepth: 1000, maxKeys: 10_000_000, maxBytes: 256 * 1024 * 1024 };

/** Limits given as options, checked, over the defaults. */
export function resolveInputLimits(given: Partial<InputLimits> | undefined): InputLimits {
  const limits = { ...defaultInputLimits, ...given };
  const issues = (Object.keys(defaultInputLimits) as (keyof InputLimits)[])
    .filter((key) => !Number.isInteger(limits[key]) || limits[key] < 1 || limits[key] > ceilings[key])
    .map((key) => ({ path: `limits.${key}`, message: `must be an integer from 1 to ${ceilings[key]}` }));
  const unknown = Object.keys(given ?? {}).filter((key) => !Object.hasOwn(defaultInputLimits, key));
  issues.push(
    ...unknown.map((key) => ({ path: `limits.${key}`, message: `unknown limit (limits: ${Object.keys(defaultInputLimits).join(', ')})` })),
  );
  if (issues.length > 0) throw new ValidationError(issues, 'invalid store options');
  return limits;
}
