import { ValidationError, type ValidationIssue } from '../errors.js';
import { isPlainObject } from '../protocol/json.js';

/**
 * Keys of `input` that parsing dropped, at any depth of nested objects (arrays are not entered): zod
 * strips what a schema does not know, and an option dropped that way would be accepted and ignored.
 */
export function droppedKeys(input: unknown, parsed: unknown, path: string[] = []): ValidationIssue[] {
  if (!isPlainObject(input) || !isPlainObject(parsed)) return [];
  return Object.keys(input).flatMap((key) =>
    // own keys only: 'toString' or 'constructor' is in every object through its prototype
    Object.hasOwn(parsed, key)
      ? droppedKeys(input[key], parsed[key], [...path, key])
      : [{ path: [...path, key].join('.'), message: `unknown key '${key}'` }],
  );
}

/** Refuses every key of a call's options object that the call does not take, naming the ones it does. */
export function refuseUnknownKeys(given: object, known: readonly string[], what: string): void {
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const issues = unknown.map((key) => ({ path: key, message: `unknown key '${key}'; ${what} take ${known.join(', ')}` }));
  throw new ValidationError(issues, `invalid ${what}`);
}
