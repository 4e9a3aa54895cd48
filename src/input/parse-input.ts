import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { describeIssues } from '../protocol/issues.js';
import { droppedKeys } from './dropped-keys.js';

/** Parses with a protocol schema; every problem comes back at once, each with its path. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(describeIssues(result.error), `invalid ${what}`);
  return result.data;
}

/**
 * Parses a call's options: as parseInput, and once they parse, a key the schema does not know (a misspelt
 * option, one of another call), at any depth of nested objects, is refused rather than dropped.
 */
export function parseOptions<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  const issues = result.success ? droppedKeys(input, result.data) : describeIssues(result.error);
  if (issues.length > 0) throw new ValidationError(issues, `invalid ${what}`);
  return result.data;
}

/** One option an operation cannot honour: where it is, whether it was given, and why it does not apply. */
export type InapplicableOption = [path: string, given: boolean, why: string];

/**
 * Refuses every option given that does not apply to this operation, each with the reason, so no
 * option is ever accepted and then ignored.
 */
export function refuseInapplicable(what: string, options: InapplicableOption[]): void {
  const issues = options.filter(([, given]) => given).map(([path, , why]) => ({ path, message: why }));
  if (issues.length > 0) throw new ValidationError(issues, `${what}: options that do not apply`);
}
