/** What verify() can find wrong. */
export type IntegrityProblemKind =
  | 'hash_mismatch' // an event's content (or its changeset's who / why / when) no longer matches its hash: edited
  | 'broken_chain' // prev_hash does not match the previous event: removed or reordered events
  | 'version_gap'
  | 'position_order' // an item's log positions do not grow with its versions: reordered
  | 'replay_failed' // an event's patch does not apply to the state before it
  | 'stream_head_mismatch' // the stream head (version, hash, key, time or document) differs from the log
  | 'changeset_mismatch' // a changeset is missing, lacks events it recorded, or has another hash formula than its events
  | 'prune_point_mismatch' // a prune point differs from the events it replaced
  | 'projection_mismatch'
  | 'projection_missing_row'
  | 'projection_extra_row'
  | 'snapshot_mismatch' // a full state (an event's snapshot, a compaction snapshot) differs from the replayed log there
  | 'anchor_mismatch' // the log at or before an anchor's position is not what the anchor recorded
  | 'tag_mismatch'; // a release tag was edited, moved, removed or reordered, or the log under it changed

/**
 * One finding. `type` and `name` say which item when one is known (a changeset's or an anchor's
 * finding may concern events that are gone); `changesetId` and `position` say where else.
 */
export interface IntegrityProblem {
  kind: IntegrityProblemKind;
  type?: string;
  name?: string;
  version?: number;
  changesetId?: string;
  position?: number;
  detail: string;
}
