import { ValidationError, type ValidationIssue } from '../errors.js';
import { isPlainObject } from '../protocol/json.js';
import { describeType } from './canonical-text.js';
import type { InputLimits } from './input-limits.js';
import { copyJson } from './json-document.js';
import { recordInputIssues } from './record-input.js';

const MAX_ISSUES = 50;

/**
 * A bulk operation as the driver takes it, before the protocol schema checks its shape: each record held
 * to the rules (and limits) of a single record, with its index in every path (`records.3.name`).
 */
export function bulkOperationInput<T>(operation: T, limits: InputLimits): T {
  if (!isPlainObject(operation))
    throw new ValidationError(
      [{ path: '(root)', message: `a bulk operation must be an object, not ${describeType(operation)}` }],
      'invalid bulk operation',
    );
  const { records, ...rest } = operation;
  const { value, issues } = copyJson(rest, limits);
  const copy = (value ?? {}) as Record<string, unknown>;
  if (!Array.isArray(records)) {
    issues.push({ path: 'records', message: `must be an array of records, not ${describeType(records)}` });
  } else {
    const copies: unknown[] = [];
    for (let i = 0; i < records.length && issues.length < MAX_ISSUES; i++) {
      const record = records[i] as Record<string, unknown> | undefined;
      const found = recordInputIssues(isPlainObject(record) ? record.type : undefined, record, limits, `records.${i}.`);
      issues.push(...found.issues);
      copies.push(found.record);
    }
    copy.records = copies;
  }
  if (issues.length > 0) throw new ValidationError(issues.slice(0, MAX_ISSUES) as ValidationIssue[], 'invalid bulk operation');
  return copy as T;
}
