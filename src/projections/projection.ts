import type { EventKind, ItemDocument } from '../events/document.js';
import type { PatchOperation } from '../events/patch.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** An event as a projection sees it: the log row, who wrote it, and the item's state before and after. */
export interface ProjectedEvent {
  position: number;
  txId: string;
  itemId: string;
  type: string;
  name: string;
  version: number;
  kind: EventKind;
  patch: PatchOperation[];
  recordedAt: string;
  changesetId: string;
  actor: string | null;
  source: string;
  previous: ItemDocument | null;
  document: ItemDocument | null;
}

/** `inline`: written in the appending transaction (read-your-writes); `async`: caught up after commit. */
export type ProjectionMode = 'inline' | 'async';

/**
 * A read model derived from the log: one table, created by the projection itself. Every function takes
 * the (quoted) table to work on, so a rebuild can fill a fresh copy and swap it in.
 */
export interface ProjectionDefinition {
  name: string;
  /** Bump when the table's shape or meaning changes; a new version needs a rebuild. */
  version: number;
  /** Event kinds it reacts to; others are skipped but still advance its checkpoint. */
  kinds: EventKind[] | 'all';
  defaultMode: ProjectionMode;
  /**
   * Its table depends only on each item's final state (and who created it), not on every event: a
   * rebuild may then apply one condensed pair of events per item instead of the whole history (when its
   * kinds are 'all': a final state depends on every kind).
   */
  stateOnly?: boolean;
  /** The live table's name (unquoted, in the store's schema). */
  table: string;
  ensureTable(db: MetaledgerDb, table: string): Promise<void>;
  apply(trx: MetaledgerDb, events: ProjectedEvent[], table: string): Promise<void>;
  reset(trx: MetaledgerDb, table: string): Promise<void>;
}
