/**
 * Object members of JSON data, read and written as data only. `obj[key]` would read an inherited
 * member (`constructor` of `{}` is a function) and `obj['__proto__'] = v` would replace the object's
 * prototype; JSON from other systems may carry such keys as ordinary names.
 */

/** The object's own member `key`, or undefined: never an inherited one. */
export function ownMember(target: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

/** Sets `key` as an own, enumerable data member (the prototype stays as it is, whatever the key). */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
