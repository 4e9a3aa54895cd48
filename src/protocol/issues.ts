import { z } from 'zod';

/** One problem a protocol schema found: its path and message. */
export interface ProtocolIssue {
  /** Dotted path to the offending value, e.g. "records.3.metadata"; "(root)" for the value itself. */
  path: string;
  message: string;
}

/** The path of an issue about the whole value. */
export const ROOT_PATH = '(root)';

function formatPath(path: (string | number)[]): string {
  return path.length === 0 ? ROOT_PATH : path.join('.');
}

function samePath(a: (string | number)[], b: (string | number)[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/**
 * For a failed z.union, keep the branch the input was aimed at: drop branches that only
 * complained about the value's type at the union's own path (the input had another shape).
 */
function unionBranch(issue: z.ZodInvalidUnionIssue): z.ZodIssue[] | undefined {
  const candidates = issue.unionErrors.filter(
    (error) => !error.issues.every((inner) => inner.code === 'invalid_type' && samePath(inner.path, issue.path)),
  );
  if (candidates.length === 0) return undefined;
  return candidates.reduce((best, error) => (error.issues.length < best.issues.length ? error : best)).issues;
}

function unionMismatch(issue: z.ZodInvalidUnionIssue): string {
  const expected = new Set<string>();
  let received: string | undefined;
  for (const error of issue.unionErrors) {
    for (const inner of error.issues) {
      if (inner.code === 'invalid_type') {
        expected.add(inner.expected);
        received = inner.received;
      }
    }
  }
  if (expected.size === 0) return issue.message ?? 'invalid input';
  return `expected ${[...expected].join(' or ')}, received ${received ?? 'something else'}`;
}

/** Flatten a ZodError into one { path, message } per problem, with dotted paths. */
export function describeIssues(error: z.ZodError): ProtocolIssue[] {
  const out: ProtocolIssue[] = [];
  const seen = new Set<string>();
  const push = (path: (string | number)[], message: string): void => {
    const entry = { path: formatPath(path), message };
    const key = `${entry.path}\u0000${entry.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(entry);
  };
  const visit = (issues: z.ZodIssue[]): void => {
    for (const issue of issues) {
      if (issue.code === 'invalid_union') {
        const branch = unionBranch(issue);
        if (branch) visit(branch);
        else push(issue.path, unionMismatch(issue));
        continue;
      }
      // each unknown key is its own problem, at its own path
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) push([...issue.path, key], issue.message);
      else push(issue.path, issue.message);
    }
  };
  visit(error.issues);
  return out;
}
