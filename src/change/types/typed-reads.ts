import type { MetaledgerDb } from '../../datasource/database-schema.js';
import type { PastState } from '../../history/history-writer.js';
import { runStatement } from '../../datasource/statement.js';
import type { TypeRegistry } from './type-registry.js';
import { readSchemaVersionsOf } from './type-statements.js';
import { upcastDocument } from './upcast.js';

/**
 * Past states shaped by their type's current schema: each state is upcast from the schema version its
 * event was written under. Types without a definition past version 1 cost no query.
 */
export class TypedReads {
  constructor(
    private readonly db: () => MetaledgerDb,
    private readonly registry: TypeRegistry,
  ) {}

  /** The states, each upcast (in the order given). */
  async upcast<S extends PastState>(states: S[]): Promise<S[]> {
    const definitions = await this.registry.definitions();
    const evolved = states.filter((state) => state.document && (definitions.get(state.type)?.definition.version ?? 1) > 1);
    if (evolved.length === 0) return states;
    const rows = await runStatement(this.db(), readSchemaVersionsOf(evolved.map((state) => [state.type, state.name, state.version])));
    const versions = new Map(rows.map((row) => [keyOf(row), row.schema_version]));
    const upcasterOf = this.registry.upcasterOf.bind(this.registry);
    return states.map((state) => {
      if (!state.document) return state;
      const schemaVersion = versions.get(keyOf(state)) ?? null;
      const document = upcastDocument(state.document, { ...state, schemaVersion }, definitions.get(state.type), upcasterOf);
      return document === state.document ? state : { ...state, document };
    });
  }

  /** A stream of states upcast a page at a time. */
  async *upcastAll<S extends PastState>(states: AsyncIterable<S>, pageSize = 500): AsyncGenerator<S> {
    let page: S[] = [];
    for await (const state of states) {
      page.push(state);
      if (page.length >= pageSize) {
        yield* await this.upcast(page);
        page = [];
      }
    }
    yield* await this.upcast(page);
  }
}

const keyOf = (state: { type: string; name: string; version: number }) => `${state.type}\u0000${state.name}\u0000${state.version}`;
