import { ValidationError } from '../errors.js';

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Configuration-supplied SQL names are checked, then double-quoted; values are never spliced into SQL. */
export function quoteIdentifier(name: string, where = 'identifier'): string {
  if (!identifierPattern.test(name) || name.length > 63) {
    throw new ValidationError(
      [{ path: where, message: `"${name}" must be a SQL identifier: letters, digits, underscore, not starting with a digit` }],
      'invalid identifier',
    );
  }
  return `"${name}"`;
}
