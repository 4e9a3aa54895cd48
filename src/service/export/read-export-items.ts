import { readStreamHeads } from '../../events/read-stream-head.js';
import type { PastState } from '../../history/history-writer.js';
import { itemHistory, type AuditEvent } from '../../history/item-history.js';
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

async function historyOf(db: MetaledgerDb, type: string, name: string): Promise<ExportedEvent[]> {
  const events: ExportedEvent[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await itemHistory(db, type, name, { limit: 1000, offset });
    events.push(
      ...page.events.map(({ version, kind, actor, reason, source, recordedAt, changesetId, patch }) => ({
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

/**
 * The live items of the selection, sorted by type and name, read from the stream heads (the log's own
 * current states). An id the store generated (the item's stream id) is left out: it means nothing
 * outside this database, and leaving it out lets files round-trip unchanged.
 */
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
    // states written under an older schema version are exported as the current one shapes them
    const shaped = await currentShape(heads);
    for (const head of shaped) {
      const document = head.document;
      if (!document) continue;
      if (selection.namespaces && !selection.namespaces.includes(document.namespace)) continue;
      if (refusalReason(selection.principal, 'read', document) !== undefined) continue;
      const { id, ...rest } = document;
      const record = id === head.itemId ? rest : document;
      items.push({ record, ...(selection.includeHistory ? { history: await historyOf(db, head.type, head.name) } : {}) });
      onItem();
    }
  }
  return items.sort((a, b) =>
    a.record.type === b.record.type ? (a.record.name < b.record.name ? -1 : 1) : a.record.type < b.record.type ? -1 : 1,
  );
}
