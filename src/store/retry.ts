import { setTimeout as sleep } from 'node:timers/promises';
import { isConflictFailure } from '../datasource/database-errors.js';

export interface RetryPolicy {
  retryOnConflict: boolean;
  maxRetries: number;
}

/** Why a write lost to a concurrent one: after every retry the policy allows, or at once when it allows none. */
export function conflictMessage(policy: RetryPolicy): string {
  return policy.retryOnConflict && policy.maxRetries > 0
    ? `gave up after ${policy.maxRetries} retries on conflicting concurrent writes`
    : `a concurrent write changed the item first (no retry: ${policy.retryOnConflict ? 'transaction.maxRetries is 0' : 'transaction.retryOnConflict is off'})`;
}

/** Full-jitter exponential backoff, capped, so colliding writers spread out instead of colliding again. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(100, 2 * 2 ** attempt);
}

/**
 * Runs `attempt` and, on a conflict (version moved, serialization failure, deadlock, unique race),
 * runs it again from fresh state up to `maxRetries` times. `attempt` receives the attempt number so it
 * can bypass caches after a failure.
 */
export async function withConflictRetry<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<{ value: T; retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      return { value: await attempt(retries), retries };
    } catch (error) {
      const mayRetry = policy.retryOnConflict && retries < policy.maxRetries;
      if (!isConflictFailure(error) || !mayRetry) throw error;
      await sleep(backoffMs(retries));
    }
  }
}
