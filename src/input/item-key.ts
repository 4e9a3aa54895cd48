import { ValidationError, type ValidationIssue } from '../errors.js';
import { identityProblem, keyProblem, MAX_NAME_LENGTH, MAX_TYPE_LENGTH } from './canonical-text.js';

/**
 * The strict check of item keys every public entry runs first, before any lookup, access check or
 * write (see canonical-text.ts for the rules). Non-canonical keys are refused, never trimmed.
 */

/** Issues of a type and a name, with their paths (`type`, `name`, or `records.3.name` under a prefix). */
export function itemKeyIssues(type: unknown, name: unknown, prefix = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const typeProblem = keyProblem(type, MAX_TYPE_LENGTH);
  if (typeProblem) issues.push({ path: `${prefix}type`, message: `type ${typeProblem}` });
  const nameProblem = keyProblem(name, MAX_NAME_LENGTH);
  if (nameProblem) issues.push({ path: `${prefix}name`, message: `name ${nameProblem}` });
  return issues;
}

/** Refuses a non-canonical item key with VALIDATION. */
export function checkItemKey(type: unknown, name: unknown): void {
  const issues = itemKeyIssues(type, name);
  if (issues.length > 0) throw new ValidationError(issues, 'invalid item key');
}

/** Refuses a non-canonical type (an entry that takes a type alone: list, query by type). */
export function checkType(type: unknown, path = 'type'): void {
  const problem = keyProblem(type, MAX_TYPE_LENGTH);
  if (problem) throw new ValidationError([{ path, message: `type ${problem}` }], 'invalid item key');
}

/** Issues of identity fields that are present: `{ path: value }`, each a namespace, owner or principal id. */
export function identityIssues(fields: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [path, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const problem = identityProblem(value);
    if (problem) issues.push({ path, message: `${path.split('.').at(-1)} ${problem}` });
  }
  return issues;
}

/** Issues of the identity fields of a record: its key, and `extends`, `namespace`, `owner` when given. */
export function recordKeyIssues(record: Record<string, unknown>, type: unknown, prefix = ''): ValidationIssue[] {
  const issues = itemKeyIssues(type, record.name, prefix);
  if (record.extends !== undefined) {
    const problem = keyProblem(record.extends, MAX_NAME_LENGTH);
    if (problem) issues.push({ path: `${prefix}extends`, message: `extends ${problem}` });
  }
  issues.push(...identityIssues({ [`${prefix}namespace`]: record.namespace, [`${prefix}owner`]: record.owner }));
  return issues;
}
