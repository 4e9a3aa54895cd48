import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { isDeepStrictEqual } from 'node:util';
import type { ValidationIssue } from '../../errors.js';
import { keyProblem, MAX_TYPE_LENGTH } from '../../input/canonical-text.js';
import { describeIssues } from '../../protocol/issues.js';
import type { PayloadCheck } from '../../write/payload-check.js';
import { compileJsonSchema, type JsonSchemaCheck } from './json-schema-check.js';
import { runStatement } from '../../datasource/statement.js';
import { StoredTypeDefinitionSchema, TYPE_DEFINITION_TYPE, type StoredTypeDefinition, type Upcaster } from './type-definition.js';
import { readTypeDefinitions } from './type-statements.js';

/** A type's definition as this process uses it: the stored form and its compiled schema. */
export interface LoadedType {
  type: string;
  definition: StoredTypeDefinition;
  check: JsonSchemaCheck;
}

/**
 * The type definitions every process shares (read from the `_type` items, reloaded after any of them
 * changes here or in another process), and the upcasters this process registered, which are code.
 */
export class TypeRegistry {
  private loaded?: Promise<Map<string, LoadedType>>;
  private readonly upcasters = new Map<string, Map<number, Upcaster>>();
  /** Compiled schemas by their JSON text: reloading definitions does not recompile unchanged ones. */
  private readonly compiled = new Map<string, ReturnType<typeof compileJsonSchema>>();

  constructor(private readonly db: () => MetaledgerDb) {}

  /** A `_type` item changed: the next check reads the definitions again. */
  forget(): void {
    this.loaded = undefined;
  }

  /** Registers this process's upcasters of a type (added to those registered before). */
  register(type: string, upcasters: Map<number, Upcaster>): void {
    const known = this.upcasters.get(type) ?? new Map<number, Upcaster>();
    for (const [to, upcast] of upcasters) known.set(to, upcast);
    this.upcasters.set(type, known);
  }

  upcasterOf(type: string, to: number): Upcaster | undefined {
    return this.upcasters.get(type)?.get(to);
  }

  /** Every live definition by type, loaded once and shared until one changes. */
  definitions(): Promise<Map<string, LoadedType>> {
    const loading = (this.loaded ??= this.load());
    // a failed load is not kept: the next call tries again
    loading.catch(() => {
      if (this.loaded === loading) this.loaded = undefined;
    });
    return loading;
  }

  /** The check of payloads against the definitions as they are now (definitions themselves included). */
  async payloadCheck(): Promise<PayloadCheck> {
    const definitions = await this.definitions();
    return (type, name, metadata) => {
      if (type === TYPE_DEFINITION_TYPE) return this.definitionIssues(name, metadata, definitions.get(name)?.definition);
      return definitions.get(type)?.check(metadata, 'metadata') ?? [];
    };
  }

  private async load(): Promise<Map<string, LoadedType>> {
    const rows = await runStatement(this.db(), readTypeDefinitions());
    const definitions = new Map<string, LoadedType>();
    for (const { name, definition } of rows) {
      const parsed = StoredTypeDefinitionSchema.safeParse(definition);
      // a definition is checked when it is written; one that no longer compiles constrains nothing
      const compiled = parsed.success ? this.compile(parsed.data.schema) : undefined;
      if (parsed.success && compiled && 'check' in compiled)
        definitions.set(name, { type: name, definition: parsed.data, check: compiled.check });
    }
    return definitions;
  }

  private compile(schema: Record<string, unknown>): ReturnType<typeof compileJsonSchema> {
    const key = JSON.stringify(schema);
    let compiled = this.compiled.get(key);
    if (!compiled) this.compiled.set(key, (compiled = compileJsonSchema(schema)));
    return compiled;
  }

  /** A `_type` item: a valid definition of a valid type name, whose version never goes down or changes silently. */
  private definitionIssues(type: string, metadata: Record<string, unknown>, current?: StoredTypeDefinition): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const typeProblem = keyProblem(type, MAX_TYPE_LENGTH);
    if (typeProblem) issues.push({ path: 'name', message: `the defined type ${typeProblem}` });
    if (type === TYPE_DEFINITION_TYPE)
      issues.push({ path: 'name', message: `${TYPE_DEFINITION_TYPE} is reserved and has a fixed definition` });
    const parsed = StoredTypeDefinitionSchema.safeParse(metadata);
    if (!parsed.success)
      return [...issues, ...describeIssues(parsed.error).map((issue) => ({ ...issue, path: prefixed('metadata', issue.path) }))];
    const compiled = this.compile(parsed.data.schema);
    if ('problem' in compiled) issues.push({ path: 'metadata.schema', message: compiled.problem });
    if (current && parsed.data.version < current.version)
      issues.push({ path: 'metadata.version', message: `must not go below the current version ${current.version}` });
    if (current && parsed.data.version === current.version && !isDeepStrictEqual(parsed.data.schema, current.schema))
      issues.push({ path: 'metadata.version', message: `the schema changed: raise the version above ${current.version}` });
    return issues;
  }
}

const prefixed = (prefix: string, path: string) => (path === '(root)' || path === '' ? prefix : `${prefix}.${path}`);
