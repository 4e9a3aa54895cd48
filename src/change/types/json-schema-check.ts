import AjvModule, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidationIssue } from '../../errors.js';

/** Checks one value; every problem comes back, each with its path under `prefix`. */
export type JsonSchemaCheck = (value: unknown, prefix: string) => ValidationIssue[];

const Ajv = AjvModule.default;
const withFormats = addFormats.default;

let compiler: InstanceType<typeof Ajv> | undefined;

/** One validator per process, made on first use: most commands never check a typed payload. */
function schemaCompiler(): InstanceType<typeof Ajv> {
  if (compiler) return compiler;
  // every error, not the first; unknown keywords of other tools are allowed
  compiler = new Ajv({ allErrors: true, strict: false });
  // Ajv 8 ships no formats (date-time, email, uuid, …): ajv-formats adds them
  withFormats(compiler);
  return compiler;
}

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
  let compiled: ValidateFunction;
  try {
    compiled = schemaCompiler().compile(schema);
  } catch (error) {
    return { problem: `is not a JSON Schema the validator can use: ${(error as Error).message}` };
  }
  return {
    check(value, prefix) {
      if (compiled(value)) return [];
      return (compiled.errors ?? []).map((error) => ({
        path: pathOf(prefix, error.instancePath, (error.params as { missingProperty?: unknown }).missingProperty),
        message: error.message ?? error.keyword,
      }));
    },
  };
}
