import { readStreamHeads } from '../../events/read-stream-head.js';
import type { PastState } from '../../history/history-writer.js';
import { itemHistory, type AuditEvent } from '../../history/item-history.js';
import { statesAt } from '../../history/states-at.js';
import type { MetadataRecord } from '../../protocol/index.js';
import { refusalReason } from '../access-policy.js';
import type { Principal } from '../principal.js';
import type { MetaledgerDb } from '../../datasource/database-schema.js';

export interface ExportItem {
  record: Partial<MetadataRecord> & { type: string; name: string };
  history?: ExportedEvent[];
}

/** One event of an item's history as an export keeps it: what changed, who, why, when. */
export type ExportedEvent = Pick<AuditEvent, 'version' | 'kind' | 'actor' | 'reason' | 'source' | 'recordedAt' | 'changesetId' | 'patch'>;

/** Gives states as their type's current schema shapes them (the store's `currentShape`). */
export type CurrentShape = <S extends PastState>(states: S[]) => Promise<S[]>;

export interface ExportSelection {
  types?: string[];
  namespaces?: string[];
  includeHistory: boolean;
  /** Only what this principal may read. */
  principal: Principal;
}

const pageSize = 500;

/** The item's events, oldest first; up to `upToVersion` when the export is of a past moment. */
async function historyOf(db: MetaledgerDb, type: string, name: string, upToVersion?: number): Promise<ExportedEvent[]> {
  const events: ExportedEvent[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await itemHistory(db, type, name, { limit: 1000, offset });
    events.push(
      ...page.events
        .filter((event) => upToVersion === undefined || event.version <= upToVersion)
        .map(({ version, kind, actor, reason, source, recordedAt, changesetId, patch }) => ({
          version,
          kind,
          actor,
          reason,
          source,
          recordedAt,
          changesetId,
          patch,
        })),
    );
    if (!page.hasMore) return events.reverse();
  }
}

/** An item's state as an export reads it: now (a stream head) or at a past moment. */
type ExportState = PastState & { itemId: string };

/**
 * The items of the selection among these states: shaped by their type's current schema (states written
 * under an older schema version are exported as the current one shapes them), only live ones, of the
 * namespaces asked for, that the principal may read. An id the store generated (the item's stream id) is
 * left out: it means nothing outside this database, and leaving it out lets files round-trip unchanged.
 */
async function exportItemsOf(
  db: MetaledgerDb,
  states: ExportState[],
  selection: ExportSelection,
  onItem: () => void,
  currentShape: CurrentShape,
  past: boolean,
): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for (const state of await currentShape(states)) {
    const document = state.document;
    if (!document) continue;
    if (selection.namespaces && !selection.namespaces.includes(document.namespace)) continue;
    if (refusalReason(selection.principal, 'read', document) !== undefined) continue;
    const { id, ...rest } = document;
    const record = id === state.itemId ? rest : document;
    const history = selection.includeHistory
      ? { history: await historyOf(db, state.type, state.name, past ? state.version : undefined) }
      : {};
    items.push({ record, ...history });
    onItem();
  }
  return items;
}

const byTypeAndName = (a: ExportItem, b: ExportItem) =>
  a.record.type === b.record.type ? (a.record.name < b.record.name ? -1 : 1) : a.record.type < b.record.type ? -1 : 1;

/** The live items of the selection now, sorted by type and name, read page by page from the stream heads (the log's own current states). */
export async function readExportItems(
  db: MetaledgerDb,
  selection: ExportSelection,
  onItem: () => void,
  currentShape: CurrentShape,
): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for (let afterItemId: string | undefined; ;) {
    const heads = await readStreamHeads(db, { types: selection.types, afterItemId, limit: pageSize });
    if (heads.length === 0) break;
    afterItemId = heads[heads.length - 1].itemId;
    items.push(...(await exportItemsOf(db, heads, selection, onItem, currentShape, false)));
  }
  return items.sort(byTypeAndName);
}

/** The items of the selection as they were at a log position (replayed from the log), sorted by type and name; their histories end there. */
export async function readExportItemsAt(
  db: MetaledgerDb,
  position: number,
  selection: ExportSelection,
  onItem: () => void,
  currentShape: CurrentShape,
): Promise<ExportItem[]> {
  const states = [...(await statesAt(db, { position }, { types: selection.types })).values()];
  return (await exportItemsOf(db, states, selection, onItem, currentShape, true)).sort(byTypeAndName);
}
