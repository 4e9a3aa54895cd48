import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileJsonSchema } from '../../src/change/types/json-schema-check.js';
import { parseTypeDefinition } from '../../src/change/types/type-definition.js';
import { upcastDocument } from '../../src/change/types/upcast.js';
import type { LoadedType } from '../../src/change/types/type-registry.js';
import { isMetaledgerError, type ItemDocument } from '../../src/index.js';

describe('compileJsonSchema', () => {
  it('reports every problem at its dot path, JSON-pointer escapes undone, missing properties named', () => {
    const compiled = compileJsonSchema({
      type: 'object',
      required: ['a'],
      properties: {
        'b/c': { type: 'string' },
        list: { type: 'array', items: { type: 'integer' } },
        at: { type: 'string', format: 'date-time' },
      },
    });
    if (!('check' in compiled)) throw new Error(compiled.problem);
    expect(
      compiled
        .check({ 'b/c': 1, list: [1, 'x'], at: 'noon' }, 'metadata')
        .map((issue) => issue.path)
        .sort(),
    ).toEqual(['metadata.a', 'metadata.at', 'metadata.b/c', 'metadata.list.1']);
    expect(compiled.check({ a: 1 }, 'metadata')).toEqual([]);
  });

  it('says why a schema cannot be used instead of throwing', () => {
    expect(compileJsonSchema({ type: 'nonsense' })).toEqual({ problem: expect.stringContaining('is not a JSON Schema') });
  });
});

describe('parseTypeDefinition', () => {
  it('stores a zod schema as self-contained JSON Schema and keeps the upcasters by version', () => {
    const upcast = (m: Record<string, unknown>) => m;
    const { stored, upcasters } = parseTypeDefinition({ schema: z.object({ a: z.string() }), version: 2, upcasters: { 2: upcast } });
    expect(stored).toEqual({
      version: 2,
      schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
      references: [],
    });
    expect(upcasters.get(2)).toBe(upcast);
  });

  it('refuses upcasters outside 2..version, and anything else malformed, every problem at once', () => {
    const error = (() => {
      try {
        parseTypeDefinition({ schema: [], version: 1.5, upcasters: { 1: () => ({}), x: 3 }, extra: true });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isMetaledgerError(error, 'VALIDATION')).toBe(true);
    expect((error as { issues: { path: string }[] }).issues.map((issue) => issue.path).sort()).toEqual(
      expect.arrayContaining(['schema', 'version', 'upcasters.x']),
    );
    expect(() => parseTypeDefinition({ schema: {}, version: 2, upcasters: { 3: () => ({}) } })).toThrow(
      /upcasters produce versions 2 to 2/,
    );
  });
});

describe('upcastDocument', () => {
  const document = { id: '1', type: 'flow', name: 'a', metadata: { n: 1 } } as unknown as ItemDocument;
  const definition = { type: 'flow', definition: { version: 3, schema: {}, references: [] }, check: () => [] } as LoadedType;
  const upcasters = new Map([
    [2, (m: Record<string, unknown>) => ({ n: (m.n as number) * 10 })],
    [3, (m: Record<string, unknown>) => ({ n: (m.n as number) + 1 })],
  ]);
  const written = (schemaVersion: number | null) => ({ type: 'flow', name: 'a', version: 1, schemaVersion });

  it('runs the upcasters in order from the version written under, and leaves current or untyped states alone', () => {
    expect(upcastDocument(document, written(1), definition, (_, to) => upcasters.get(to)).metadata).toEqual({ n: 11 });
    expect(upcastDocument(document, written(2), definition, (_, to) => upcasters.get(to)).metadata).toEqual({ n: 2 });
    expect(upcastDocument(document, written(3), definition, () => undefined)).toBe(document);
    expect(upcastDocument(document, written(null), definition, () => undefined)).toBe(document);
  });

  it('refuses with UPCASTER_MISSING when one is missing', () => {
    expect(() => upcastDocument(document, written(1), definition, (_, to) => (to === 2 ? upcasters.get(2) : undefined))).toThrow(
      expect.objectContaining({ code: 'UPCASTER_MISSING', message: expect.stringContaining('no upcaster to version 3') }),
    );
  });
});
