import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, applyPatchInPlace, diffStates, type PatchOperation } from '../../src/events/patch.js';
import { isMetaledgerError, mergePatch } from '../../src/index.js';

// JSON documents whose keys include the names JavaScript gives a meaning. They are built as JSON text
// and parsed, as the database driver does: JSON.parse makes an own `__proto__` member.
const key = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'a', 'b', '', '~', '/', '~1', 'x/y', '0', '-');
type Tree = { leaf: unknown } | { array: Tree[] } | { entries: [string, Tree][] };
const { tree } = fc.letrec<{ tree: Tree; leaf: Tree; array: Tree; object: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 3 })).map((leaf) => ({ leaf })),
  array: fc.array(tie('tree'), { maxLength: 4 }).map((array) => ({ array })),
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((entries) => ({ entries })),
}));
const jsonText = (node: Tree): string =>
  'leaf' in node
    ? JSON.stringify(node.leaf)
    : 'array' in node
      ? `[${node.array.map(jsonText).join(',')}]`
      : `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
const document = fc
  .array(fc.tuple(key, tree), { maxLength: 5 })
  .map((entries) => JSON.parse(jsonText({ entries })) as Record<string, unknown>);

/** Own members only, sorted; fails if any object's prototype is not Object.prototype. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error('an object lost its prototype');
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const untouchedPrototype = () => {
  for (const name of ['polluted', 'x', 'a', 'b', '0']) expect(Object.prototype).not.toHaveProperty(name);
};

describe('applying stored patches', () => {
  it('diff then apply gives the target, for documents with __proto__ / constructor / prototype keys', () => {
    fc.assert(
      fc.property(document, document, (from, to) => {
        const patch = diffStates(from, to);
        expect(canonical(applyPatch(from, patch))).toBe(canonical(to));
        // in place, on a copy that travelled through JSON like a stored state does
        expect(canonical(applyPatchInPlace(JSON.parse(JSON.stringify(from)), JSON.parse(JSON.stringify(patch))))).toBe(canonical(to));
      }),
      { numRuns: 2000 },
    );
    untouchedPrototype();
  });

  it('the case from the report: constructor/prototype and __proto__ paths replay', () => {
    const before = JSON.parse('{"metadata":{"constructor":{"prototype":{"x":1}},"n":{"__proto__":{"polluted":true}}}}');
    const after = JSON.parse('{"metadata":{"constructor":{"prototype":{"x":2}},"n":{"__proto__":{"polluted":false}}}}');
    const result = applyPatch(before, diffStates(before, after));
    expect(canonical(result)).toBe(canonical(after));
    expect(Object.getPrototypeOf(result.metadata.n)).toBe(Object.prototype);
    untouchedPrototype();
  });

  it('every RFC 6902 operation applies; a patch that does not fit its state is INTEGRITY, naming the operation', () => {
    const state = { a: [1, 2], b: { c: 'x' } };
    const patch: PatchOperation[] = [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'move', from: '/b/c', path: '/d' },
      { op: 'copy', from: '/a', path: '/e' },
      { op: 'test', path: '/e/2', value: 3 },
      { op: 'remove', path: '/a/0' },
      { op: 'replace', path: '/b', value: JSON.parse('{"__proto__":null}') },
    ];
    expect(canonical(applyPatch(state, patch))).toBe('{"a":[2,3],"b":{"__proto__":null},"d":"x","e":[1,2,3]}');
    expect(state).toEqual({ a: [1, 2], b: { c: 'x' } });
    for (const broken of [
      { op: 'replace', path: '/missing/deeper', value: 1 },
      { op: 'remove', path: '/constructor' },
      { op: 'add', path: '/a/7', value: 1 },
      { op: 'test', path: '/a/0', value: 2 },
      { op: 'move', from: '/b', path: '/b/inside' },
      { op: 'add', path: 'no-slash', value: 1 },
    ] as PatchOperation[]) {
      const error = (() => {
        try {
          applyPatch(state, [{ op: 'add', path: '/ok', value: 1 }, broken]);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isMetaledgerError(error, 'INTEGRITY')).toBe(true);
      expect((error as Error).message).toContain(`operation 1 (${broken.op} ${broken.path})`);
    }
  });
});

describe('mergePatch', () => {
  it('a __proto__ member of the patch is a member of the result, never its prototype', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":1}}}');
    const result = mergePatch({}, patch) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.nested)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'nested']);
    expect(result.polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ polluted: true });
    untouchedPrototype();
  });

  it('matches RFC 7386 on generated documents with such keys, and never changes a prototype', () => {
    // the RFC's algorithm over Maps: no object is ever built, so no key can mean anything
    type Value = unknown;
    const toMap = (value: Value): Value =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? new Map(Object.keys(value).map((k) => [k, toMap((value as Record<string, unknown>)[k])]))
        : value;
    const reference = (target: Value, patch: Value): Value => {
      if (!(patch instanceof Map)) return patch;
      const result = new Map(target instanceof Map ? target : []);
      for (const [k, v] of patch) {
        if (v === null) result.delete(k);
        else result.set(k, reference(result.get(k), v));
      }
      return result;
    };
    const mapText = (value: Value): string =>
      value instanceof Map
        ? `{${[...value.keys()]
            .sort()
            .map((k) => `${JSON.stringify(k)}:${mapText(value.get(k))}`)
            .join(',')}}`
        : Array.isArray(value)
          ? `[${value.map((v) => canonical(v)).join(',')}]`
          : JSON.stringify(value);
    fc.assert(
      fc.property(document, document, (target, patch) => {
        const targetText = canonical(target);
        const result = mergePatch(target, patch);
        expect(canonical(result)).toBe(mapText(reference(toMap(target), toMap(patch))));
        expect(canonical(target)).toBe(targetText);
      }),
      { numRuns: 2000 },
    );
    untouchedPrototype();
  });
});
