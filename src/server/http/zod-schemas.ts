import type { FastifySchema, FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ValidationError } from '../../errors.js';
import { describeIssues } from '../../protocol/issues.js';

/** Lets route handlers see the parsed output of their zod schemas as `request.body`, `request.query`, `request.params`. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodTypeAny ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodTypeAny ? z.input<this['schema']> : unknown;
}

const partNames: Record<string, string> = {
  body: 'request body',
  querystring: 'query parameters',
  params: 'path parameters',
  headers: 'headers',
};

/** Requests are validated by the project's zod schemas; every problem comes back at once as VALIDATION (400). */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodTypeAny> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data ?? undefined);
    if (result.success) return { value: result.data };
    return { error: new ValidationError(describeIssues(result.error), `invalid ${partNames[httpPart ?? ''] ?? httpPart}`) };
  };

/** Responses are plain JSON; response schemas exist for the OpenAPI document. */
export const jsonSerializerCompiler = () => (data: unknown) => JSON.stringify(data);

const isZod = (value: unknown): value is z.ZodTypeAny => value instanceof z.ZodType;

/** A zod schema as JSON Schema (the dialect of OpenAPI 3.1), inlined. */
export function jsonSchemaOf(schema: z.ZodTypeAny): Record<string, unknown> {
  const { $schema: _dialect, ...json } = zodToJsonSchema(schema, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
    effectStrategy: 'input',
  }) as Record<string, unknown>;
  return json;
}

/** @fastify/swagger's transform: each route's zod schemas become JSON Schema in the generated document. */
export function openApiTransform({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const converted: Record<string, unknown> = { ...schema };
  for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
    const value = schema[part];
    if (isZod(value)) converted[part] = jsonSchemaOf(value);
  }
  if (schema.response && typeof schema.response === 'object') {
    converted.response = Object.fromEntries(
      Object.entries(schema.response as Record<string, unknown>).map(([status, response]) => [
        status,
        isZod(response) ? jsonSchemaOf(response) : response,
      ]),
    );
  }
  return { schema: converted as FastifySchema, url };
}
