import { MetaledgerError } from '../../errors.js';
import type { ItemDocument } from '../../events/document.js';
import type { LoadedType } from './type-registry.js';
import type { Upcaster } from './type-definition.js';

/** Where a stored state came from: its item, the version of it, and the schema version it was written under. */
export interface WrittenUnder {
  type: string;
  name: string;
  version: number;
  /** Null: the type had no definition when the event was written, so there is nothing to upcast from. */
  schemaVersion: number | null;
}

/**
 * The state as the type's current schema version shapes it: the upcasters from the version it was written
 * under up to the current one, in order. The log is never rewritten; a missing upcaster is an error
 * (UPCASTER_MISSING), never an old shape passed off as the new one.
 */
export function upcastDocument(
  document: ItemDocument,
  written: WrittenUnder,
  definition: LoadedType | undefined,
  upcasterOf: (type: string, to: number) => Upcaster | undefined,
): ItemDocument {
  const from = written.schemaVersion;
  if (!definition || from === null || from >= definition.definition.version) return document;
  let metadata = document.metadata;
  for (let to = from + 1; to <= definition.definition.version; to++) {
    const upcast = upcasterOf(written.type, to);
    if (!upcast) {
      throw new MetaledgerError(
        'UPCASTER_MISSING',
        `${written.type}/${written.name} version ${written.version} was written under schema version ${from} of ${written.type}, ` +
          `now at version ${definition.definition.version}; this process has no upcaster to version ${to}: ` +
          `register it with store.defineType('${written.type}', { …, upcasters: { ${to}: (previous) => next } })`,
      );
    }
    metadata = upcast(structuredClone(metadata));
  }
  return { ...document, metadata };
}
