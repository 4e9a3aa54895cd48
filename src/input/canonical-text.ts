import { quoteForMessage } from '../protocol/identifier.js';

/**
 * What counts as one spelling of an identity: an item's `type` and `name` (and `extends`, which names
 * an item), a namespace, an owner, a principal id. Identities are compared exactly, code unit for code
 * unit, in every layer (database, caches, service, file loader, HTTP path), so a value that could be
 * written two ways that look alike is refused instead of being trimmed or normalised: one item, one key.
 *
 * Canonical text is non-empty, at most a given length, in Unicode normalisation form NFC, and has
 *  - no whitespace at either end (any kind: space, tab, no-break space, ideographic space, …),
 *  - no control (Cc), format (Cf: zero-width space and joiners, BOM, bidi marks …) or lone surrogate
 *    characters, no line or paragraph separators, and no whitespace inside other than the plain space.
 * Case is significant: `Account` and `account` are two items.
 */

/** Longest `type`: the width of the log's and the projection's type columns (varchar(100)). */
export const MAX_TYPE_LENGTH = 100;
/** Longest `name`, namespace, owner or principal id: the width of their columns (varchar(255)). */
export const MAX_NAME_LENGTH = 255;

// The common case, checked in one step: printable ASCII, no space at either end.
const PLAIN_ASCII = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;
// Whitespace (JavaScript's \s is Unicode White_Space plus the BOM) at either end.
const EDGE_WHITESPACE = /^\s|\s$/u;
// Control, format and lone-surrogate characters, line / paragraph separators, and any whitespace but U+0020.
const INVISIBLE_OR_SPECIAL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|[^\S ]/u;
// A key becomes a path segment (file loader, HTTP URL): no separators, and not a dot segment.
const PATH_SEPARATOR = /[/\\]/;

function textProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${describeType(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters (got ${value.length})`;
  if (PLAIN_ASCII.test(value)) return undefined;
  if (EDGE_WHITESPACE.test(value)) return 'must not start or end with whitespace (spaces, tabs, no-break spaces …)';
  if (INVISIBLE_OR_SPECIAL.test(value))
    return 'must not contain control or invisible characters (zero-width spaces, joiners, BOM, bidi marks, lone surrogates) or whitespace other than the plain space';
  if (value.normalize('NFC') !== value)
    return 'must be in Unicode normalisation form NFC (e.g. "é" as one character, not "e" followed by a combining accent)';
  return undefined;
}

/** Why `value` is not a canonical identity (namespace, owner, principal id), or undefined when it is. */
export function identityProblem(value: unknown, max = MAX_NAME_LENGTH): string | undefined {
  return textProblem(value, max);
}

/** Why `value` is not a canonical item key part (`type`, `name`, `extends`), or undefined when it is. */
export function keyProblem(value: unknown, max: number): string | undefined {
  const problem = textProblem(value, max);
  if (problem) return problem;
  const text = value as string;
  if (PATH_SEPARATOR.test(text)) return "must not contain '/' or '\\' (a key is one path segment)";
  if (text === '.' || text === '..') return "must not be '.' or '..'";
  return undefined;
}

/**
 * A value a caller gave, as a message shows it: a string quoted and cut short, a number or boolean as
 * itself, anything else by its type. Never calls the value's own toString (it may throw, or lie).
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return quoteForMessage(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
}

/** The type of a value as a message names it: `null`, `an array`, `a Date`, `a number` … */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    const name = prototype?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
