import { ValidationError, type ValidationIssue } from '../errors.js';
import { isPlainObject } from '../protocol/json.js';
import { describeType, identityProblem, keyProblem, MAX_NAME_LENGTH, MAX_TYPE_LENGTH } from './canonical-text.js';
import { MAX_POSITION } from './call-options.js';
import type { InputLimits } from './input-limits.js';
import { etagProblem } from './free-text.js';
import { copyJson } from './json-document.js';

/**
 * Load and query options as an entry takes them, before the protocol schema checks their shape: plain
 * JSON (see json-document.ts), the keys and identities they filter on canonical (a filter on a spelling
 * that can never be stored is a mistake, not an empty result), `$like` patterns PostgreSQL accepts, and
 * pages whose offset fits a bigint.
 */

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function eachProblem(value: unknown, path: string, problem: (value: unknown) => string | undefined, issues: ValidationIssue[]): void {
  if (value === undefined) return;
  const list = asList(value);
  list.forEach((item, i) => {
    const message = problem(item);
    if (message) issues.push({ path: Array.isArray(value) ? `${path}.${i}` : path, message: `${path.split('.').at(-1)} ${message}` });
  });
}

/** A LIKE pattern may not end in its escape character: `\` must be written `\\`. */
function likeProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return undefined;
  const trailing = /\\*$/.exec(pattern)![0].length;
  return trailing % 2 === 1 ? "ends with the escape character '\\': write '\\\\' for a backslash" : undefined;
}

/** Problems of a filters object (protocol MetadataQueryFilters) that its schema lets through. */
function filterIssues(filters: unknown, prefix: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(filters)) return issues;
  eachProblem(filters.type, `${prefix}type`, (value) => keyProblem(value, MAX_TYPE_LENGTH), issues);
  eachProblem(filters.name, `${prefix}name`, (value) => keyProblem(value, MAX_NAME_LENGTH), issues);
  eachProblem(filters.namespace, `${prefix}namespace`, (value) => identityProblem(value), issues);
  eachProblem(filters.owner, `${prefix}owner`, (value) => identityProblem(value), issues);
  if (isPlainObject(filters.custom)) {
    for (const [path, condition] of Object.entries(filters.custom)) {
      if (!isPlainObject(condition)) continue;
      const problem = likeProblem(condition.$like);
      if (problem) issues.push({ path: `${prefix}custom.${path}.$like`, message: `the pattern ${problem}` });
    }
  }
  return issues;
}

function optionsCopy(options: unknown, limits: InputLimits, what: string): { copy: Record<string, unknown>; issues: ValidationIssue[] } {
  if (options === undefined) return { copy: {}, issues: [] };
  if (!isPlainObject(options))
    return { copy: {}, issues: [{ path: '(root)', message: `${what} must be an object, not ${describeType(options)}` }] };
  const { value, issues } = copyJson(options, limits);
  return { copy: (value ?? {}) as Record<string, unknown>, issues };
}

/** Load options (MetadataLoadOptions) as plain JSON with canonical filters; VALIDATION otherwise. */
export function loadOptionsInput<T>(options: T | undefined, limits: InputLimits, what = 'load options'): T {
  const { copy, issues } = optionsCopy(options, limits, what);
  issues.push(...filterIssues(copy.filters, 'filters.'));
  eachProblem(copy.namespace, 'namespace', (value) => identityProblem(value), issues);
  eachProblem(copy.ifNoneMatch, 'ifNoneMatch', etagProblem, issues);
  if (issues.length > 0) throw new ValidationError(issues, `invalid ${what}`);
  return copy as T;
}

/** Query options (MetadataQueryOptions) as plain JSON with canonical filters and a page that fits; VALIDATION otherwise. */
export function queryOptionsInput<T>(options: T | undefined, limits: InputLimits): T {
  const { copy, issues } = optionsCopy(options, limits, 'query options');
  issues.push(...filterIssues(copy.filters, 'filters.'));
  const pagination = copy.pagination;
  if (isPlainObject(pagination) && typeof pagination.page === 'number' && typeof pagination.pageSize === 'number') {
    if ((pagination.page - 1) * pagination.pageSize > MAX_POSITION)
      issues.push({ path: 'pagination.page', message: `starts past row ${MAX_POSITION}: no store holds that many items` });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'invalid query options');
  return copy as T;
}
