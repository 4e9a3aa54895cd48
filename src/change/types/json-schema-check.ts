import AjvModule from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidationIssue } from '../../errors.js';

/** Checks one value; every problem comes back, each with its path under `prefix`. */
export type JsonSchemaCheck = (value: unknown, prefix: string) => ValidationIssue[];

// The validator described by the shape used here, so the code reads the same on Ajv 6 (`dataPath`) and 8 (`instancePath`).
interface SchemaError {
  keyword: string;
  instancePath?: string;
  dataPath?: string;
  params: Record<string, unknown>;
  message?: string;
}
interface CompiledSchema {
  (value: unknown): boolean;
  errors?: SchemaError[] | null;
}
interface SchemaCompiler {
  compile(schema: object): CompiledSchema;
  addVocabulary?: unknown;
}

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (options: object) => SchemaCompiler;

function createCompiler(): SchemaCompiler {
  // every error, not the first; JSON pointers for paths; unknown keywords of other tools are allowed
  const compiler = new Ajv({ allErrors: true, jsonPointers: true, strict: false });
  // Ajv 8 ships no formats (date-time, email, uuid, …): ajv-formats adds them; Ajv 6 has them built in
  if (compiler.addVocabulary) (addFormats as unknown as (ajv: SchemaCompiler) => void)(compiler);
  return compiler;
}

const compiler = createCompiler();

/** `/a/0/b~1c` → `a.0.b/c` under the prefix. */
function pathOf(prefix: string, pointer: string, missing?: unknown): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof missing === 'string') segments.push(missing);
  return [prefix, ...segments].filter((part) => part !== '').join('.');
}

/**
 * Compiles a JSON Schema once; a schema the validator cannot compile is a problem at `schema`. The
 * returned check gives every problem of a value, each at its path.
 */
export function compileJsonSchema(schema: Record<string, unknown>): { check: JsonSchemaCheck } | { problem: string } {
  let compiled: CompiledSchema;
  try {
    compiled = compiler.compile(schema);
  } catch (error) {
    return { problem: `is not a JSON Schema the validator can use: ${(error as Error).message}` };
  }
  return {
    check(value, prefix) {
      if (compiled(value)) return [];
      return (compiled.errors ?? []).map((error) => ({
        path: pathOf(prefix, error.instancePath ?? error.dataPath ?? '', error.params.missingProperty),
        message: error.message ?? error.keyword,
      }));
    },
  };
}
