import { isDeepStrictEqual } from 'node:util';
import { pathSegments } from '../driver/query/json-path.js';
import type { MetadataFilterOperators } from '../protocol/index.js';
import { isPlainObject } from '../protocol/json.js';

/**
 * The driver's `custom` filter semantics (see driver/query/custom-filter.ts, which compiles them to SQL)
 * evaluated in memory, for loaders whose items are not in the database.
 */
export function matchesCustomCondition(metadata: Record<string, unknown>, path: string, operators: MetadataFilterOperators): boolean {
  const value = valueAt(metadata, pathSegments(path, `filters.custom.${path}`));
  return Object.entries(operators).every(([operator, operand]) => holds(operator as keyof MetadataFilterOperators, value, operand));
}

function valueAt(document: unknown, segments: string[]): unknown {
  let value = document;
  for (const segment of segments) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)];
    else if (isPlainObject(value)) value = value[segment];
    else return undefined;
  }
  return value;
}

function holds(operator: keyof MetadataFilterOperators, value: unknown, operand: unknown): boolean {
  switch (operator) {
    case '$eq':
      return value !== undefined && isDeepStrictEqual(value, operand);
    case '$ne':
      return !isDeepStrictEqual(value, operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return typeof value === typeof operand && compare(operator, value as string | number, operand as string | number);
    case '$in':
      return (operand as unknown[]).some((candidate) => isDeepStrictEqual(value, candidate));
    case '$nin':
      return !(operand as unknown[]).some((candidate) => isDeepStrictEqual(value, candidate));
    case '$exists':
      return (value !== undefined) === operand;
    case '$contains':
      // as in SQL: a scalar is looked for as an element of an array at the path, or as the value itself
      return value !== undefined && (contains(value, operand) || (!isContainer(operand) && contains(value, [operand])));
    case '$like':
      return value !== undefined && likePattern(operand as string).test(typeof value === 'string' ? value : JSON.stringify(value));
  }
}

function compare(operator: '$gt' | '$gte' | '$lt' | '$lte', value: string | number, bound: string | number): boolean {
  if (operator === '$gt') return value > bound;
  if (operator === '$gte') return value >= bound;
  if (operator === '$lt') return value < bound;
  return value <= bound;
}

const isContainer = (value: unknown) => typeof value === 'object' && value !== null;

/** JSONB containment (`@>`): every part of `inner` is found in `outer`. */
function contains(outer: unknown, inner: unknown): boolean {
  if (Array.isArray(inner))
    return Array.isArray(outer) && inner.every((element) => outer.some((candidate) => contains(candidate, element)));
  if (isPlainObject(inner))
    return isPlainObject(outer) && Object.entries(inner).every(([key, part]) => Object.hasOwn(outer, key) && contains(outer[key], part));
  return isDeepStrictEqual(outer, inner);
}

/** SQL LIKE: % any run of characters, _ one character, everything else literal. */
function likePattern(pattern: string): RegExp {
  const body = [...pattern]
    .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}
