import { redactSecrets } from '../datasource/redact.js';
import { MetaledgerError } from '../errors.js';

/**
 * The last line of defence of a public API: whatever goes wrong below it, a caller only ever sees a
 * MetaledgerError. Errors the layers already typed pass through unchanged; anything else (a bug, an
 * unmapped driver error) becomes INTERNAL with the original message (minus passwords) and the original
 * error as its `cause`, so a real bug is never hidden.
 */
export function toPublicError(error: unknown): MetaledgerError {
  if (error instanceof MetaledgerError) return error;
  let message: string;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    message = 'a thrown value that cannot be shown';
  }
  return new MetaledgerError('INTERNAL', `unexpected error: ${redactSecrets(message)}`, { cause: error });
}

/** Runs a public function's work so that it rejects only with MetaledgerErrors (see toPublicError). */
export async function atPublicBoundary<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toPublicError(error);
  }
}

const isPromiseLike = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | null)?.then === 'function' && typeof (value as Promise<unknown>).catch === 'function';

/**
 * Wraps the named methods of a class so they throw or reject only MetaledgerErrors (see toPublicError).
 * Listed once, next to the class, so the boundary is visible where the API is defined.
 */
export function guardPublicMethods<T extends object>(target: { prototype: T }, methods: readonly (keyof T & string)[]): void {
  for (const name of methods) {
    const original = target.prototype[name] as unknown as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') throw new TypeError(`guardPublicMethods: ${name} is not a method`);
    const guarded = function (this: T, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        throw toPublicError(error);
      }
      return isPromiseLike(result)
        ? result.catch((error: unknown) => {
            throw toPublicError(error);
          })
        : result;
    };
    Object.defineProperty(guarded, 'name', { value: name });
    Object.defineProperty(target.prototype, name, { value: guarded, writable: true, configurable: true });
  }
}
