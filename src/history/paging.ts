import { ValidationError } from '../errors.js';

/** Checks a limit / offset pair before it is placed in SQL. */
export function checkPage(limit: number, offset = 0, maxLimit = 1000): { limit: number; offset: number } {
  const issues = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    issues.push({ path: 'limit', message: `must be an integer from 1 to ${maxLimit}` });
  // a safe integer prints as digits (1e21 would print as "1e+21") and fits a bigint
  if (!Number.isSafeInteger(offset) || offset < 0)
    issues.push({ path: 'offset', message: `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}` });
  if (issues.length) throw new ValidationError(issues, 'invalid paging');
  return { limit, offset };
}
