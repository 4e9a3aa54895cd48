import { ValidationError, type ValidationIssue } from '../errors.js';
import { describeIssues, StrictMetadataRecordSchema, type StrictMetadataRecord as MetadataRecord } from '../protocol/index.js';
import { isPlainObject } from '../protocol/json.js';
import { describeType, showValue } from './canonical-text.js';
import type { InputLimits } from './input-limits.js';
import { recordKeyIssues } from './item-key.js';
import { copyJson } from './json-document.js';

/**
 * A record as every public entry takes it, before any lookup, access check or write: a plain JSON
 * object (copied, see json-document.ts) whose identity fields are canonical (see canonical-text.ts) and
 * whose `type`, when it gives one, is the type of the call. The protocol schema checks its shape next.
 */
export function recordInputIssues(
  type: unknown,
  record: unknown,
  limits: InputLimits,
  prefix = '',
): { record?: Record<string, unknown>; partial?: Record<string, unknown>; issues: ValidationIssue[] } {
  if (!isPlainObject(record)) {
    return {
      issues: [{ path: prefix.replace(/\.$/, '') || '(root)', message: `a record must be an object, not ${describeType(record)}` }],
    };
  }
  const { value, issues } = copyJson(record, limits, prefix);
  const copy = (value ?? {}) as Record<string, unknown>;
  const keyIssues = recordKeyIssues(copy, type, prefix);
  if (copy.type !== undefined && copy.type !== type && keyIssues.length === 0) {
    keyIssues.push({ path: `${prefix}type`, message: `the record says type ${showValue(copy.type)} but the call says ${showValue(type)}` });
  }
  const all = mergeIssues(keyIssues, issues);
  return all.length > 0 ? { partial: copy, issues: all } : { record: copy, issues: [] };
}

/** Issues of both lists, one per path (the first list's win). */
function mergeIssues(first: ValidationIssue[], second: ValidationIssue[]): ValidationIssue[] {
  const paths = new Set(first.map((issue) => issue.path));
  return [...first, ...second.filter((issue) => !paths.has(issue.path))];
}

/**
 * The record checked by the strict layer and then parsed by the protocol schema, every problem of both at
 * once (VALIDATION `invalid record`). Returns the plain copy as given (`input`: its keys are the fields
 * the caller gave) and the parsed record (defaults filled in).
 */
export function parseRecordInput(
  type: string,
  record: unknown,
  limits: InputLimits,
): { input: Record<string, unknown>; parsed: MetadataRecord } {
  const strict = recordInputIssues(type, record, limits);
  const parsed = StrictMetadataRecordSchema.safeParse({ ...(strict.record ?? strict.partial), type });
  // the payload is the strict copy: zod rebuilds records key by key and drops a `__proto__` member
  // a field the record schema does not know would be dropped: refused, so nothing given is lost unseen
  const unknown = parsed.success ? unknownRecordFields(strict.record ?? strict.partial ?? {}, parsed.data) : [];
  if (strict.record && parsed.success && unknown.length === 0)
    return { input: strict.record, parsed: { ...parsed.data, metadata: strict.record.metadata as MetadataRecord['metadata'] } };
  const issues = mergeIssues(strict.issues, parsed.success ? unknown : describeIssues(parsed.error));
  throw new ValidationError(issues, 'invalid record');
}

/** Top-level fields of a record the schema dropped (the payload, `metadata`, is any JSON object). */
export function unknownRecordFields(given: object, parsed: object, prefix = ''): ValidationIssue[] {
  return Object.keys(given)
    .filter((key) => !Object.hasOwn(parsed, key))
    .map((key) => ({ path: `${prefix}${key}`, message: `unknown field '${key}': a record's own data goes in metadata` }));
}
