import { isPlainObject } from '../protocol/json.js';

/**
 * JSON Merge Patch (RFC 7386), the `merge` strategy: objects merge key by key, a `null` removes the key,
 * anything else (arrays included) replaces what was there. Neither input is modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
