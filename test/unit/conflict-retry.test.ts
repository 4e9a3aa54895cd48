import { describe, expect, it } from 'vitest';
import { conflictMessage, withConflictRetry } from '../../src/write/retry.js';

// The one retry policy of the write path, with a fake attempt: conflicts are retried from fresh state up
// to maxRetries, anything else surfaces at once.
const conflict = () => Object.assign(new Error('stream moved'), { code: 'ML409' });

function failing(times: number, error: () => Error) {
  const attempts: number[] = [];
  const attempt = async (attemptNumber: number) => {
    attempts.push(attemptNumber);
    if (attempts.length <= times) throw error();
    return 'written';
  };
  return { attempts, attempt };
}

describe('withConflictRetry', () => {
  it('retries conflicts, numbering the attempts, and reports how many it took', async () => {
    const { attempts, attempt } = failing(3, conflict);
    await expect(withConflictRetry({ retryOnConflict: true, maxRetries: 5 }, attempt)).resolves.toEqual({ value: 'written', retries: 3 });
    expect(attempts).toEqual([0, 1, 2, 3]);
  });

  it('gives up after maxRetries, and never retries when retries are off', async () => {
    const limited = failing(10, conflict);
    await expect(withConflictRetry({ retryOnConflict: true, maxRetries: 2 }, limited.attempt)).rejects.toMatchObject({ code: 'ML409' });
    expect(limited.attempts).toHaveLength(3);
    const off = failing(10, conflict);
    await expect(withConflictRetry({ retryOnConflict: false, maxRetries: 5 }, off.attempt)).rejects.toMatchObject({ code: 'ML409' });
    expect(off.attempts).toHaveLength(1);
  });

  it('tries a first attempt that failed on a wrong guess once more at once, even with retries off', async () => {
    const seen: [number, boolean][] = [];
    const attempt = async (retries: number, first: boolean) => {
      seen.push([retries, first]);
      if (first) throw Object.assign(new Error('guessed head was stale'), { code: 'CONFLICT' });
      return 'written';
    };
    const guessedWrong = (error: unknown) => (error as { code?: string }).code === 'CONFLICT';
    await expect(withConflictRetry({ retryOnConflict: false, maxRetries: 0 }, attempt, guessedWrong)).resolves.toEqual({
      value: 'written',
      retries: 0,
    });
    expect(seen).toEqual([
      [0, true],
      [0, false],
    ]);
    // a conflict the policy retries is a retry like any other, guess or not; only the first try may have guessed
    const later = failing(10, conflict);
    await expect(withConflictRetry({ retryOnConflict: true, maxRetries: 2 }, later.attempt, () => true)).rejects.toMatchObject({
      code: 'ML409',
    });
    expect(later.attempts).toEqual([0, 1, 2]);
  });

  it('surfaces anything but a conflict at once', async () => {
    const { attempts, attempt } = failing(1, () => Object.assign(new Error('bad input'), { code: '22P02' }));
    await expect(withConflictRetry({ retryOnConflict: true, maxRetries: 5 }, attempt)).rejects.toMatchObject({ code: '22P02' });
    expect(attempts).toHaveLength(1);
  });

  it('says why a write lost: after retries, or which setting stopped it from retrying', () => {
    expect(conflictMessage({ retryOnConflict: true, maxRetries: 3 })).toMatch(/after 3 retries/);
    expect(conflictMessage({ retryOnConflict: true, maxRetries: 0 })).toMatch(/maxRetries is 0/);
    expect(conflictMessage({ retryOnConflict: false, maxRetries: 3 })).toMatch(/retryOnConflict is off/);
  });
});
