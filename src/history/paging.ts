import { ValidationError } from '../errors.js';

/** Checks a limit / offset pair before it is placed in SQL. */
export function checkPage(limit: number, offset = 0, maxLimit = 1000): { limit: number; offset: number } {
  const issues = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    issues.push({ path: 'limit', message: `must be an integer from 1 to ${maxLimit}` });
  if (!Number.isInteger(offset) || offset < 0) issues.push({ path: 'offset', message: 'must be an integer >= 0' });
  if (issues.length) throw new ValidationError(issues, 'invalid paging');
  return { limit, offset };
}
