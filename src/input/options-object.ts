import { ValidationError } from '../errors.js';
import { describeType } from './canonical-text.js';

/** A call's options: absent is `{}`; anything but a plain object is VALIDATION (`invalid <what>`). */
export function optionsObject<T extends object>(value: T | undefined | null, what: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError([{ path: '(root)', message: `${what} must be an object, not ${describeType(value)}` }], `invalid ${what}`);
  return value;
}
