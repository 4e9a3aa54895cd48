import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { MetaledgerError } from '../../src/errors.js';
import { identityProblem, keyProblem, MAX_NAME_LENGTH } from '../../src/input/canonical-text.js';
import { defaultInputLimits, resolveInputLimits } from '../../src/input/input-limits.js';
import { copyJson } from '../../src/input/json-document.js';
import { parseOptions } from '../../src/input/parse-input.js';
import { guardPublicMethods, toPublicError } from '../../src/input/public-boundary.js';
import { nonCanonicalVariants } from '../security/helpers/name-variants.js';
import { nonJsonLeaf } from '../security/helpers/arbitraries.js';

const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 8 }),
  fc.string(),
);

describe('canonical keys', () => {
  it('every accepted key is its own trimmed, NFC, visible form, without separators', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        if (keyProblem(text, MAX_NAME_LENGTH) !== undefined) return;
        expect(text.length).toBeGreaterThan(0);
        expect(text.trim()).toBe(text);
        expect(text.normalize('NFC')).toBe(text);
        expect(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}/\\]|[^\S ]/u.test(text)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('every look-alike of an accepted key is refused', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,20}[A-Za-z0-9]$/),
        fc.constantFrom(...nonCanonicalVariants),
        (text, variant) => {
          expect(keyProblem(text, MAX_NAME_LENGTH)).toBeUndefined();
          expect(keyProblem(variant.of(text), MAX_NAME_LENGTH)).toBeDefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('case is part of the key; inner plain spaces and non-Latin letters are fine', () => {
    for (const text of ['Account', 'ACCOUNT', 'my view', 'Straße', 'заказ', '注文', 'café', 'a:b', 'x@y.z']) {
      expect(keyProblem(text, MAX_NAME_LENGTH), text).toBeUndefined();
    }
  });

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(256), 'at most 255'],
    ['a/b', "'/'"],
    ['a\\b', "'/'"],
    ['..', "'.' or '..'"],
    ['a\u00A0b', 'invisible'],
    ['cafe\u0301', 'NFC'],
    [42, 'must be a string, not a number'],
  ])('%j is refused: %s', (text, message) => {
    expect(keyProblem(text, MAX_NAME_LENGTH)).toContain(message);
  });

  it('identities (namespace, owner, principal id) follow the same rules, but may hold "/"', () => {
    expect(identityProblem('team/crm')).toBeUndefined();
    expect(identityProblem('alice\u200B')).toBeDefined();
    expect(identityProblem(' alice')).toBeDefined();
  });
});

describe('JSON-only values', () => {
  it('JSON comes back as an equal copy, never the same objects; an own __proto__ key stays a member', () => {
    const { value: copied, issues: protoIssues } = copyJson(JSON.parse('{"a":{"__proto__":1}}'), defaultInputLimits);
    expect(protoIssues).toEqual([]);
    const inner = (copied as { a: object }).a;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(inner, '__proto__')?.value).toBe(1);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { value: copy, issues } = copyJson(value, defaultInputLimits);
        expect(issues).toEqual([]);
        expect(copy).toEqual(JSON.parse(JSON.stringify(value)));
        if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('any value JSON cannot hold, anywhere inside, is reported with its path', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 2 }),
        nonJsonLeaf.filter((leaf) => leaf !== undefined),
        fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 3 }),
        (json, leaf, path) => {
          const root: Record<string, unknown> = { json };
          let node = root;
          for (const key of path) node = node[key] = {} as Record<string, unknown>;
          node.leaf = leaf;
          const { issues } = copyJson(root, defaultInputLimits);
          expect(issues.length).toBeGreaterThan(0);
          // the problem is at or below the leaf (a limit passed is reported for the whole value); an
          // undefined property would be absent, as in JSON, so it is not generated here
          const where = [...path, 'leaf'].join('.');
          expect(issues.some((issue) => issue.path.startsWith(where) || issue.path === '(root)')).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads a getter once, and later changes to the input do not reach the copy', () => {
    let reads = 0;
    const input = {
      get label() {
        reads++;
        return reads === 1 ? 'first' : 'second';
      },
      list: [1, 2],
    };
    const { value } = copyJson(input, defaultInputLimits);
    input.list.push(3);
    expect(reads).toBe(1);
    expect(value).toEqual({ label: 'first', list: [1, 2] });
  });

  it('undefined properties are absent and -0 is 0, as in JSON', () => {
    const { value, issues } = copyJson({ a: undefined, b: -0 }, defaultInputLimits);
    expect(issues).toEqual([]);
    expect(Object.is((value as { b: number }).b, 0)).toBe(true);
    expect(Object.keys(value as object)).toEqual(['b']);
  });

  it('limits stop the walk with one issue naming the limit', () => {
    const limits = resolveInputLimits({ maxDepth: 3, maxKeys: 5, maxBytes: 100 });
    expect(copyJson({ a: { b: { c: { d: {} } } } }, limits).issues).toEqual([
      { path: 'a.b.c.d', message: expect.stringContaining('limits.maxDepth') },
    ]);
    expect(copyJson([1, 2, 3, 4, 5, 6], limits).issues).toEqual([{ path: '(root)', message: expect.stringContaining('limits.maxKeys') }]);
    expect(copyJson({ text: 'x'.repeat(200) }, limits).issues).toEqual([
      { path: '(root)', message: expect.stringContaining('limits.maxBytes') },
    ]);
  });

  it('limits are options that must make sense', () => {
    expect(() => resolveInputLimits({ maxDepth: 0 })).toThrow(/limits.maxDepth/);
    expect(() => resolveInputLimits({ maxKeys: 1.5 })).toThrow(/limits.maxKeys/);
    expect(() => resolveInputLimits({ maxSize: 1 } as never)).toThrow(/unknown limit/);
    expect(resolveInputLimits({ maxBytes: 10 })).toEqual({ ...defaultInputLimits, maxBytes: 10 });
  });

  it('any key that is not a limit is refused, names every object inherits included', () => {
    const limitNames = Object.keys(defaultInputLimits);
    const notALimit = fc
      .oneof(fc.constantFrom('toString', 'constructor', 'valueOf'), fc.string({ minLength: 1 }))
      .filter((key) => !limitNames.includes(key) && key !== '__proto__');
    fc.assert(
      fc.property(notALimit, fc.integer({ min: 1, max: 100 }), (key, value) => {
        expect(() => resolveInputLimits({ [key]: value } as never)).toThrow(
          new RegExp(`limits\\.${key.replace(/[^\w]/g, '\\$&')}: unknown limit`),
        );
      }),
    );
  });
});

describe('the public boundary', () => {
  class Api {
    sync(): number {
      throw new TypeError('sync bug');
    }
    async later(): Promise<number> {
      throw new RangeError('async bug');
    }
    async typed(): Promise<number> {
      throw new MetaledgerError('CONFLICT', 'typed');
    }
  }
  guardPublicMethods(Api, ['sync', 'later', 'typed']);

  it('turns anything unexpected into INTERNAL, keeping its message and cause; typed errors pass', async () => {
    expect(() => new Api().sync()).toThrow(expect.objectContaining({ code: 'INTERNAL', message: 'unexpected error: sync bug' }));
    const later = await new Api().later().catch((error: MetaledgerError) => error);
    expect(later).toMatchObject({ code: 'INTERNAL', status: 500, cause: expect.any(RangeError) });
    await expect(new Api().typed()).rejects.toMatchObject({ code: 'CONFLICT', message: 'typed' });
  });

  it('never shows a password in the message', () => {
    expect(toPublicError(new Error('connect postgres://app:s3cret@db/x failed')).message).not.toContain('s3cret');
    expect(toPublicError(Symbol('odd')).code).toBe('INTERNAL');
  });
});

describe('call options', () => {
  const schema = z.object({ limit: z.number().optional(), nested: z.object({ on: z.boolean().optional() }).default({}) });

  it('a key the schema does not know, at the top or nested, is refused naming its path; known keys parse', () => {
    const key = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['limit', 'nested', 'on', '__proto__'].includes(k));
    fc.assert(
      fc.property(key, fc.jsonValue({ maxDepth: 1 }), fc.boolean(), (unknown, value, deep) => {
        const input = deep ? { nested: { on: true, [unknown]: value } } : { limit: 1, [unknown]: value };
        const error = (() => {
          try {
            parseOptions(schema, input, 'test options');
          } catch (e) {
            return e;
          }
        })();
        expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: deep ? `nested.${unknown}` : unknown }] });
      }),
      { numRuns: 500 },
    );
    expect(parseOptions(schema, { limit: 2, nested: { on: false } }, 'test options')).toEqual({ limit: 2, nested: { on: false } });
  });
});
