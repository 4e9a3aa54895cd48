import type { ReferenceDeclaration } from './type-definition.js';
import type { LoadedType, TypeRegistry } from './type-registry.js';

/** A type's definition as the store reports it. */
export interface TypeInfo {
  type: string;
  version: number;
  /** The JSON Schema checking the records' `metadata`. */
  schema: Record<string, unknown>;
  references: ReferenceDeclaration[];
  /** The versions this process has upcasters to (upcasters are code: each process registers its own). */
  upcasters: number[];
}

export function typeInfoOf(loaded: LoadedType, registry: TypeRegistry): TypeInfo {
  const { version, schema, references } = loaded.definition;
  const upcasters = Array.from({ length: version - 1 }, (_, i) => i + 2).filter((to) => registry.upcasterOf(loaded.type, to));
  return { type: loaded.type, version, schema, references, upcasters };
}
