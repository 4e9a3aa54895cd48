import type { MetadataFilterOperators } from '../../protocol/index.js';
import { addressesArrays, nestUnder, pathSegments } from './json-path.js';
import type { SqlParameters } from './sql-parameters.js';

/**
 * One `custom` condition as SQL over the metadata column: every operator of the condition must hold.
 * Values and path keys are bound parameters. Where containment can express the test (`$contains`, and
 * `$eq` as a pre-filter) it is written as `metadata @> {...}` so the GIN index on metadata serves it.
 */
export function compileCustomCondition(
  metadataColumn: string,
  path: string,
  operators: MetadataFilterOperators,
  params: SqlParameters,
): string[] {
  const segments = pathSegments(path, `filters.custom.${path}`);
  const indexable = !addressesArrays(segments);
  // bound once, on first use: an unused parameter would have no type PostgreSQL can infer
  let bound: string | undefined;
  const keys = () => (bound ??= params.add(segments, 'text[]'));
  const value = () => `(${metadataColumn} #> ${keys()})`;
  const contains = (fragment: unknown) => `${metadataColumn} @> ${params.json(nestUnder(segments, fragment))}`;
  const ordered = (operator: string, bound: string | number) =>
    `(jsonb_typeof(${value()}) = ${params.add(typeof bound === 'number' ? 'number' : 'string')} AND ${value()} ${operator} ${params.json(bound)})`;
  const conditions: string[] = [];
  for (const [operator, operand] of Object.entries(operators)) {
    switch (operator as keyof MetadataFilterOperators) {
      case '$eq':
        conditions.push(
          indexable ? `(${contains(operand)} AND ${value()} = ${params.json(operand)})` : `${value()} = ${params.json(operand)}`,
        );
        break;
      case '$ne':
        conditions.push(`${value()} IS DISTINCT FROM ${params.json(operand)}`);
        break;
      case '$gt':
        conditions.push(ordered('>', operand as string | number));
        break;
      case '$gte':
        conditions.push(ordered('>=', operand as string | number));
        break;
      case '$lt':
        conditions.push(ordered('<', operand as string | number));
        break;
      case '$lte':
        conditions.push(ordered('<=', operand as string | number));
        break;
      case '$in':
        conditions.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(${params.json(operand)}) AS candidate WHERE candidate = ${value()})`);
        break;
      case '$nin':
        // a missing value is "not in" any list
        conditions.push(
          `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${params.json(operand)}) AS candidate WHERE candidate = ${value()})`,
        );
        break;
      case '$exists':
        conditions.push(`${value()} IS ${operand ? 'NOT ' : ''}NULL`);
        break;
      case '$contains':
        conditions.push(containsCondition(operand, indexable, contains, () => `${value()} @> ${params.json(operand)}`));
        break;
      case '$like':
        conditions.push(`(${metadataColumn} #>> ${keys()}) LIKE ${params.add(operand)}`);
        break;
    }
  }
  return conditions;
}

// A scalar is looked for as an element of an array at the path (or as the value itself); objects and
// arrays are contained as JSONB containment defines it.
function containsCondition(operand: unknown, indexable: boolean, contains: (fragment: unknown) => string, direct: () => string): string {
  if (!indexable) return direct();
  const scalar = operand === null || typeof operand !== 'object';
  return scalar ? `(${contains([operand])} OR ${contains(operand)})` : contains(operand);
}
