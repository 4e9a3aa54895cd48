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
 * runs it again from fresh state up to `maxRetries` times; `attempt` receives the retries so far (it can
 * lock after a conflict) and whether it is the first try. A first try that failed because it planned on a
 * wrong guess (`guessedWrong`), and that the policy does not retry, is tried once more at once: a guess
 * the database disproved is not the caller's conflict.
 */
export async function withConflictRetry<T>(
  policy: RetryPolicy,
  attempt: (retries: number, first: boolean) => Promise<T>,
  guessedWrong: (error: unknown) => boolean = () => false,
): Promise<{ value: T; retries: number }> {
  for (let retries = 0, first = true; ; first = false) {
    try {
      return { value: await attempt(retries, first), retries };
    } catch (error) {
      if (isConflictFailure(error) && policy.retryOnConflict && retries < policy.maxRetries) {
        await sleep(backoffMs(retries));
        retries++;
      } else if (!(first && guessedWrong(error))) throw error;
    }
  }
}
