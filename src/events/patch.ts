import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { MetaledgerError } from '../errors.js';
import { isPlainObject } from '../protocol/json.js';
import { ownMember, setMember } from './json-members.js';

export type PatchOperation = Operation;

/** RFC 6902 operations turning `from` into `to`; absent states are the empty object. */
export function diffStates(from: object | null, to: object | null): PatchOperation[] {
  return fastJsonPatch.compare(from ?? {}, to ?? {});
}

/** Applies a patch to a copy of `state` (the input is never mutated). */
export function applyPatch<T extends object>(state: T | null, patch: PatchOperation[]): T {
  return applyPatchInPlace(structuredClone(state ?? {}) as T, patch);
}

/**
 * Applies a patch by changing `state` itself (the result may still be a new object when the patch
 * replaces the root). For folds that own their state: a copy per event is most of a long replay's cost.
 *
 * Every key is data: `__proto__`, `constructor` and `prototype` are members like any other (a stored
 * document may carry them), so no stored patch is refused for its keys and none changes a prototype.
 * A patch that does not fit its state (only a log edited behind the store's back has one) is an
 * INTEGRITY error naming the operation.
 */
export function applyPatchInPlace<T extends object>(state: T | null, patch: PatchOperation[]): T {
  if (!Array.isArray(patch)) throw new MetaledgerError('INTEGRITY', 'the patch is not a list of operations');
  let document: unknown = state ?? {};
  for (const [index, operation] of patch.entries()) document = applyOperation(document, operation, index);
  return document as T;
}

type Container = Record<string, unknown> | unknown[];

class PatchMismatch extends Error {}

function applyOperation(document: unknown, operation: PatchOperation, index: number): unknown {
  try {
    if (!isPlainObject(operation)) throw new PatchMismatch('not an operation object');
    switch (operation.op) {
      case 'add':
        return add(document, operation.path, operation.value);
      case 'remove':
        return remove(document, operation.path).document;
      case 'replace':
        return replace(document, operation.path, operation.value);
      case 'move': {
        if (operation.path.startsWith(`${operation.from}/`)) throw new PatchMismatch('cannot move a value into itself');
        const removed = remove(document, operation.from);
        return add(removed.document, operation.path, removed.value);
      }
      case 'copy':
        return add(document, operation.path, structuredClone(valueAt(document, operation.from)));
      case 'test':
        if (!isDeepStrictEqual(valueAt(document, operation.path), operation.value)) throw new PatchMismatch('the test failed');
        return document;
      default:
        throw new PatchMismatch(`unknown operation ${JSON.stringify((operation as { op: unknown }).op)}`);
    }
  } catch (error) {
    if (!(error instanceof PatchMismatch)) throw error;
    const op = isPlainObject(operation) && typeof operation.op === 'string' ? operation.op : '?';
    const path = isPlainObject(operation) && typeof operation.path === 'string' ? operation.path : '?';
    throw new MetaledgerError('INTEGRITY', `patch operation ${index} (${op} ${path}) does not apply: ${error.message}`);
  }
}

/** RFC 6901 tokens of a JSON pointer ('' is the whole document). */
function tokensOf(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) throw new PatchMismatch('invalid JSON pointer');
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(array: unknown[], token: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return array.length;
  const index = /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : NaN;
  if (!(index < array.length || (allowEnd && index === array.length))) throw new PatchMismatch(`no array element ${token}`);
  return index;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(document: unknown, pointer: unknown): { parent: Container; token: string } {
  const tokens = tokensOf(pointer);
  const token = tokens.pop()!;
  let parent = document;
  for (const step of tokens) parent = child(parent, step);
  if (!Array.isArray(parent) && !isPlainObject(parent)) throw new PatchMismatch('the parent is not an object or array');
  return { parent, token };
}

function child(container: unknown, token: string): unknown {
  if (Array.isArray(container)) return container[arrayIndex(container, token, false)];
  if (isPlainObject(container) && Object.hasOwn(container, token)) return ownMember(container, token);
  throw new PatchMismatch(`no member ${JSON.stringify(token)}`);
}

function valueAt(document: unknown, pointer: unknown): unknown {
  let value = document;
  for (const token of tokensOf(pointer)) value = child(value, token);
  return value;
}

function add(document: unknown, pointer: unknown, value: unknown): unknown {
  if (value === undefined) throw new PatchMismatch('no value');
  if (pointer === '') return value;
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true), 0, value);
  else setMember(parent, token, value);
  return document;
}

function replace(document: unknown, pointer: unknown, value: unknown): unknown {
  if (value === undefined) throw new PatchMismatch('no value');
  if (pointer === '') return value;
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) parent[arrayIndex(parent, token, false)] = value;
  else {
    child(parent, token);
    setMember(parent, token, value);
  }
  return document;
}

function remove(document: unknown, pointer: unknown): { document: unknown; value: unknown } {
  if (pointer === '') return { document: {}, value: document };
  const { parent, token } = parentOf(document, pointer);
  const value = child(parent, token);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, false), 1);
  else delete parent[token];
  return { document, value };
}
