import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ValidationError } from '../../errors.js';
import { keyProblem, MAX_TYPE_LENGTH } from '../../input/canonical-text.js';
import { describeIssues } from '../../protocol/issues.js';

/** The reserved type whose items are type definitions: `_type/<type>` defines `<type>`. */
export const TYPE_DEFINITION_TYPE = '_type';

/** Upgrades one payload from the version before `version` to `version`; code, so registered per process. */
export type Upcaster = (metadata: Record<string, unknown>) => Record<string, unknown>;

/** A field of the payload (a dot path, e.g. `object` or `source.object`) that names an item of `type`. */
export interface ReferenceDeclaration {
  path: string;
  type: string;
}

/** What `store.defineType` takes: the schema as zod or JSON Schema, its version, upcasters and references. */
export interface TypeDefinitionInput {
  /** A zod schema (stored as its JSON Schema) or a JSON Schema object; it checks the record's `metadata`. */
  schema: z.ZodTypeAny | Record<string, unknown>;
  /** The schema's version, 1 and up (default 1); raise it whenever the schema changes. */
  version?: number;
  /** `{ 2: v1 => v2, 3: v2 => v3 }`: one function per version after the first, keyed by the version it produces. */
  upcasters?: Record<number, Upcaster>;
  /** Payload fields naming other items: an item others name cannot be deleted unless forced. */
  references?: ReferenceDeclaration[];
}

const referencePath = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/;

const ReferenceDeclarationSchema = z
  .object({
    path: z.string().regex(referencePath, 'must be a dot path of field names, e.g. "object" or "source.object"'),
    type: z.string().superRefine((type, context) => {
      const problem = keyProblem(type, MAX_TYPE_LENGTH);
      if (problem) context.addIssue({ code: 'custom', message: `type ${problem}` });
    }),
  })
  .strict();

/** The payload of a `_type` item: what every process reads back as the type's definition. */
export const StoredTypeDefinitionSchema = z
  .object({
    version: z.number().int().min(1).max(1_000_000),
    schema: z.record(z.string(), z.unknown()),
    references: z.array(ReferenceDeclarationSchema).max(100).default([]),
  })
  .strict();

/** A type's definition as stored in `_type/<type>`: its schema version, JSON Schema and references. */
export type StoredTypeDefinition = z.infer<typeof StoredTypeDefinitionSchema>;

const UpcastersSchema = z.record(
  z.string().regex(/^[1-9]\d*$/, 'upcasters are keyed by the version they produce (2, 3, …)'),
  // not z.function(): it would hand back a wrapper instead of the caller's function
  z.custom<Upcaster>((value) => typeof value === 'function', 'must be a function'),
);

const TypeDefinitionInputSchema = z
  .object({
    schema: z.union([z.instanceof(z.ZodType), z.record(z.string(), z.unknown())]),
    version: z.number().int().min(1).max(1_000_000).default(1),
    upcasters: UpcastersSchema.default({}),
    references: z.array(ReferenceDeclarationSchema).max(100).default([]),
  })
  .strict();

/** The definition as stored, and the upcasters this process registers; every problem at once (VALIDATION). */
export function parseTypeDefinition(input: unknown): { stored: StoredTypeDefinition; upcasters: Map<number, Upcaster> } {
  const parsed = TypeDefinitionInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error), 'invalid type definition');
  const { schema, version, upcasters, references } = parsed.data;
  const jsonSchema = schema instanceof z.ZodType ? toJsonSchema(schema) : schema;
  const registered = new Map(Object.entries(upcasters).map(([to, upcast]) => [Number(to), upcast]));
  const beyond = [...registered.keys()].filter((to) => to < 2 || to > version);
  if (beyond.length > 0) {
    throw new ValidationError(
      beyond.map((to) => ({ path: `upcasters.${to}`, message: `produces version ${to}; upcasters produce versions 2 to ${version}` })),
      'invalid type definition',
    );
  }
  return { stored: { version, schema: jsonSchema, references }, upcasters: registered };
}

/** A zod schema's JSON Schema form, self-contained (no `$ref` to definitions elsewhere). */
function toJsonSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = zodToJsonSchema(schema, { $refStrategy: 'none' }) as Record<string, unknown>;
  return jsonSchema;
}
