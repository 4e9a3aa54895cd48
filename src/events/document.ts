/**
 * The state of one item as the log sees it: the record's envelope and its metadata payload. Patches,
 * snapshots and hashes are all computed over this shape; audit fields (who, when) live in changesets.
 */
export interface ItemDocument {
  id: string;
  type: string;
  name: string;
  namespace: string;
  scope: 'system' | 'platform' | 'user';
  metadata: Record<string, unknown>;
  extends?: string;
  strategy: 'merge' | 'replace';
  owner?: string;
  state: 'draft' | 'active' | 'archived' | 'deprecated';
}

export const eventKinds = ['created', 'updated', 'deleted', 'archived', 'restored', 'rolled_back'] as const;

/** What an event did to its item: created, updated, deleted, archived, restored or rolled_back. */
export type EventKind = (typeof eventKinds)[number];

/** The envelope keys a caller may set on a record, in the order documents are written. */
export const documentKeys = ['id', 'type', 'name', 'namespace', 'scope', 'metadata', 'extends', 'strategy', 'owner', 'state'] as const;

/** Builds a document with a stable key order and without undefined optional keys. */
export function toDocument(fields: ItemDocument): ItemDocument {
  const document: Record<string, unknown> = {};
  for (const key of documentKeys) {
    if (fields[key] !== undefined && fields[key] !== null) document[key] = fields[key];
  }
  return document as unknown as ItemDocument;
}
