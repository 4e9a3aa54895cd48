import type { EventKind, ItemDocument } from './document.js';
import type { PatchOperation } from './patch.js';

/** The columns of a `metadata_events` row that replaying an item needs, as the driver returns them. */
export interface EventRow {
  item_id: string;
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  patch: PatchOperation[];
  snapshot: ItemDocument | null;
  recorded_at: Date | string;
}
