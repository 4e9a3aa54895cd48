import { isDeepStrictEqual } from 'node:util';
import { ownMember, setMember } from '../../events/json-members.js';
import { isPlainObject } from '../../protocol/json.js';

/**
 * JSON documents seen as leaves: a revert works path by path, recursing only through objects. An array
 * is one leaf, so a later insert that shifts its indexes can never make a revert overwrite the wrong
 * element. `undefined` stands for "absent" (JSON has no undefined value).
 */

/** RFC 6901 pointer of the tokens given. */
export function pointerOf(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The leaves where `from` and `to` differ, as token lists (an empty list: the whole document). */
export function changedLeaves(from: unknown, to: unknown, at: string[] = []): string[][] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
    return [...keys].flatMap((key) => changedLeaves(ownMember(from, key), ownMember(to, key), [...at, key]));
  }
  return isDeepStrictEqual(from, to) ? [] : [at];
}

/** The value at a leaf, or undefined when it (or a parent) is absent or a parent is not an object. */
export function valueAt(document: unknown, tokens: readonly string[]): unknown {
  let value = document;
  for (const token of tokens) {
    if (!isPlainObject(value)) return undefined;
    value = ownMember(value, token);
  }
  return value;
}

/** Whether every parent of the leaf is an object in the document (as it is where the leaf was found). */
export function hasParents(document: unknown, tokens: readonly string[]): boolean {
  return isPlainObject(valueAt(document, tokens.slice(0, -1)));
}

/**
 * Sets (or with undefined removes) the leaf in `document`, which the caller owns. Missing parents, or
 * parents that are no longer objects, become objects: only an overwrite after a conflict needs that.
 */
export function writeLeaf(document: Record<string, unknown>, tokens: readonly string[], value: unknown): void {
  let parent = document;
  for (const token of tokens.slice(0, -1)) {
    const child = ownMember(parent, token);
    if (!isPlainObject(child)) {
      if (value === undefined) return; // nothing to remove below a missing parent
      setMember(parent, token, {});
    }
    parent = ownMember(parent, token) as Record<string, unknown>;
  }
  const last = tokens[tokens.length - 1];
  if (value === undefined) delete parent[last];
  else setMember(parent, last, structuredClone(value));
}
