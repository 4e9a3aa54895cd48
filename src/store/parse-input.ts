import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { describeIssues } from '../protocol/issues.js';

/** Parses with a protocol schema; every problem comes back at once, each with its path. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(describeIssues(result.error), `invalid ${what}`);
  return result.data;
}
