import { ownMember, setMember } from '../events/json-members.js';
import { isPlainObject } from '../protocol/json.js';

/**
 * JSON Merge Patch (RFC 7386), the `merge` strategy: objects merge key by key, a `null` removes the key,
 * anything else (arrays included) replaces what was there. Neither input is modified. Every key is data:
 * a `__proto__` member is copied as a member and never becomes the result's prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = {};
  if (isPlainObject(target)) for (const key of Object.keys(target)) setMember(result, key, target[key]);
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else setMember(result, key, mergePatch(ownMember(result, key), value));
  }
  return result;
}
