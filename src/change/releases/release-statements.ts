import { statement, type Statement } from '../../datasource/statement.js';

// The releases' statements: tags (each a named log position, hash-chained and recorded by a changeset
// of source `tag`), their integrity check, and the promotions a target store records.

/** A row of metadata_tags as read (positions are bigint: the driver may hand them back as text). */
export interface TagRow {
  name: string;
  position: number | string;
  message: string | null;
  actor: string | null;
  changeset_id: string;
  created_at: Date | string;
}

const tagColumns = 'name, position, message, actor, changeset_id, created_at';

/** A tag being written: its name and position, who and why, and the changeset recording it. */
export interface NewTag {
  changesetId: string;
  name: string;
  position: number;
  actor: string | null;
  message: string | null;
}

/** Holds other taggers off until the transaction ends, so the tags' hash chain stays linear. */
export function lockTags(): Statement<never> {
  return statement('lock-tags', 'LOCK TABLE metadata_tags IN EXCLUSIVE MODE');
}

/** One row when a tag of that name exists (names are given once). */
export function tagExists(name: string): Statement<{ '?column?': number }> {
  return statement('tag-exists', 'SELECT 1 FROM metadata_tags WHERE name = $1', [name]);
}

/** The changeset recording a tag: source `tag`, no events, the tag and its position as its target. */
export function insertTagChangeset(tag: NewTag): Statement<never> {
  return statement(
    'insert-tag-changeset',
    `INSERT INTO metadata_changesets (id, actor, reason, source, event_count, target, created_at, hash_version)
     VALUES ($1, $2, $3, 'tag', 0, $4, date_trunc('milliseconds', now()), 2)`,
    [tag.changesetId, tag.actor, tag.message, JSON.stringify({ tag: tag.name, position: tag.position })],
  );
}

/**
 * The tag itself, at its changeset's time, linked to the previous tag's hash and carrying the hash of
 * the log at its position (pruned events included), so a changed log or tag shows in `tagChecks`.
 */
export function insertTag(tag: NewTag): Statement<TagRow> {
  return statement(
    'insert-tag',
    `WITH placed AS (
       SELECT $1::text AS name, $2::bigint AS position, $3::text AS message, $4::text AS actor, c.id AS changeset_id, c.created_at,
              (SELECT hash FROM metadata_tags ORDER BY seq DESC LIMIT 1) AS prev_hash,
              (SELECT l.hash FROM (SELECT position, hash FROM metadata_events WHERE position <= $2
                                   UNION ALL SELECT position, hash FROM metadata_pruned_events WHERE position <= $2) l
               ORDER BY l.position DESC LIMIT 1) AS log_hash
       FROM metadata_changesets c WHERE c.id = $5
     )
     INSERT INTO metadata_tags (name, position, log_hash, message, actor, changeset_id, created_at, prev_hash, hash)
     SELECT name, position, log_hash, message, actor, changeset_id, created_at, prev_hash,
            metadata_tag_hash(prev_hash, name, position, log_hash, message, actor, changeset_id, created_at)
     FROM placed
     RETURNING ${tagColumns}`,
    [tag.name, tag.position, tag.message, tag.actor, tag.changesetId],
  );
}

/** Every tag, oldest first. */
export function allTags(): Statement<TagRow> {
  return statement('all-tags', `SELECT ${tagColumns} FROM metadata_tags ORDER BY seq`);
}

/** The tag of that name (no row when there is none). */
export function tagNamed(name: string): Statement<TagRow> {
  return statement('tag-named', `SELECT ${tagColumns} FROM metadata_tags WHERE name = $1`, [name]);
}

/** A finding of `tagChecks`: the tag (or the changeset of a removed one) and what is wrong with it. */
export interface TagProblemRow {
  name: string | null;
  position: string | number | null;
  changeset_id: string;
  detail: string;
}

/**
 * Per tag: its hash against its content, its link to the previous tag, its log hash against the event
 * now at its position, and its changeset; then the tag changesets whose tag is gone.
 */
export function tagChecks(): Statement<TagProblemRow> {
  return statement(
    'tag-checks',
    `WITH checked AS (
       SELECT t.seq, t.name, t.position, t.changeset_id,
              t.hash IS DISTINCT FROM metadata_tag_hash(t.prev_hash, t.name, t.position, t.log_hash, t.message, t.actor, t.changeset_id, t.created_at) AS edited,
              t.prev_hash IS DISTINCT FROM lag(t.hash) OVER (ORDER BY t.seq) AS unlinked,
              t.log_hash IS DISTINCT FROM (
                SELECT l.hash FROM (SELECT position, hash FROM metadata_events WHERE position <= t.position
                                    UNION ALL SELECT position, hash FROM metadata_pruned_events WHERE position <= t.position) l
                ORDER BY l.position DESC LIMIT 1) AS moved,
              c.id IS NULL OR c.source <> 'tag' OR c.target->>'tag' IS DISTINCT FROM t.name
                OR c.target->>'position' IS DISTINCT FROM t.position::text AS unrecorded
       FROM metadata_tags t LEFT JOIN metadata_changesets c ON c.id = t.changeset_id
     )
     SELECT name, position, changeset_id, concat_ws('; ',
         CASE WHEN edited THEN 'the tag does not match its hash (edited)' END,
         CASE WHEN unlinked THEN 'prev_hash does not match the previous tag (a tag was removed or reordered)' END,
         CASE WHEN moved THEN 'the log at its position is not the one tagged (the tag or the log was changed)' END,
         CASE WHEN unrecorded THEN 'its changeset is missing or names another tag or position' END) AS detail
     FROM checked WHERE edited OR unlinked OR moved OR unrecorded
     UNION ALL
     SELECT c.target->>'tag', (c.target->>'position')::bigint, c.id, 'the changeset records a tag that is gone (removed)'
     FROM metadata_changesets c
     WHERE c.source = 'tag' AND NOT EXISTS (SELECT 1 FROM metadata_tags t WHERE t.changeset_id = c.id)`,
  );
}

/** Which promotions count as the same: from one source, of one slice (null for all namespaces / types). */
export interface PromotionKey {
  from: string;
  namespace: string | null;
  types: string[] | null;
}

/**
 * The last promotion of that source and slice the target holds: the source position it promoted, the
 * items it skipped, and the target's log position right after it. The slice compares as jsonb, so a null
 * slice matches only a null one.
 */
export function lastPromotion(
  key: PromotionKey,
): Statement<{ source_position: string | number; target_position: string | number | null; skipped: unknown }> {
  return statement(
    'last-promotion',
    `SELECT (c.target->'promotion'->>'position')::bigint AS source_position, c.target->'promotion'->'skipped' AS skipped,
            (SELECT max(e.position) FROM metadata_events e WHERE e.changeset_id = c.id) AS target_position
     FROM metadata_changesets c
     WHERE c.source = 'promote' AND c.target->'promotion'->>'from' = $1
       AND c.target->'promotion'->'namespace' = $2::jsonb AND c.target->'promotion'->'types' = $3::jsonb
     ORDER BY target_position DESC NULLS LAST LIMIT 1`,
    [key.from, JSON.stringify(key.namespace), JSON.stringify(key.types)],
  );
}
