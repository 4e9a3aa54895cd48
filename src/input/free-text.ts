import { ValidationError, type ValidationIssue } from '../errors.js';
import { describeType } from './canonical-text.js';
import { refuseUnknownKeys } from './dropped-keys.js';
import { optionsObject } from './options-object.js';

/** Longest actor, correlation id or source recorded with a change. */
export const MAX_LABEL_LENGTH = 255;
/** Longest reason recorded with a change. */
export const MAX_REASON_LENGTH = 4096;

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why `value` cannot be stored as text of at most `max` characters (PostgreSQL refuses NUL), or undefined. */
export function freeTextProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${describeType(value)}`;
  if (value.length > max) return `must be at most ${max} characters (got ${value.length})`;
  if (value.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (!isWellFormed(value)) return 'must not contain a lone surrogate (half of a UTF-16 pair)';
  return undefined;
}

/** Issues of the free-text fields given, `{ path: [value, max] }`; absent (undefined) fields are fine. */
export function freeTextIssues(fields: Record<string, [unknown, number]>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [path, [value, max]] of Object.entries(fields)) {
    if (value === undefined) continue;
    const problem = freeTextProblem(value, max);
    if (problem) issues.push({ path, message: `${path} ${problem}` });
  }
  return issues;
}

/** Who and why of a write, as a caller gives them. */
export interface WriteContextInput {
  actor?: unknown;
  reason?: unknown;
  correlationId?: unknown;
  source?: unknown;
}

/** The keys of a write context: who, why, the request it belongs to, where it came from. */
export const writeContextKeys = ['actor', 'reason', 'correlationId', 'source'] as const;

/**
 * Refuses who / why text the changeset could not store faithfully, a context that is not an object and,
 * when the call's keys are given (the context's and its own), every key it does not take.
 */
export function checkWriteContext(given: WriteContextInput | undefined | null, known?: readonly string[]): void {
  const context = optionsObject(given, 'write context');
  if (known) refuseUnknownKeys(context, known, 'write options');
  // the common save names none of them: nothing to check
  if (context.actor === undefined && context.reason === undefined && context.correlationId === undefined && context.source === undefined)
    return;
  const issues = freeTextIssues({
    actor: [context.actor, MAX_LABEL_LENGTH],
    reason: [context.reason, MAX_REASON_LENGTH],
    correlationId: [context.correlationId, MAX_LABEL_LENGTH],
    source: [context.source, MAX_LABEL_LENGTH],
  });
  if (issues.length > 0) throw new ValidationError(issues, 'invalid write context');
}

// An entity tag as HTTP carries it: visible ASCII, no spaces (it may travel as an If-Match header).
const ETAG = /^[\x21-\x7E]{1,255}$/;

/** Why `value` cannot be an etag a loader handed out, or undefined. */
export function etagProblem(value: unknown): string | undefined {
  return typeof value === 'string' && ETAG.test(value) ? undefined : 'must be an etag (visible ASCII, no spaces)';
}

/** Refuses an expected etag that no loader hands out: it must be undefined, null ("must not exist") or an etag. */
export function checkExpectedEtag(etag: unknown, path = 'expectedEtag'): void {
  if (etag === undefined || etag === null || !etagProblem(etag)) return;
  throw new ValidationError([{ path, message: `${path} ${etagProblem(etag)}, null or absent` }], 'invalid etag');
}
