import { randomUUID } from 'node:crypto';
import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { CompiledQuery } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkChangesetBoundary } from '../../history/restore.js';
import { LabelSchema, PositionSchema, ReasonSchema } from '../../input/call-options.js';
import { parseInput } from '../../store/parse-input.js';
import { checkTagName } from './tag-name.js';

/** A named log position: a release. Immutable once written. */
export interface Tag {
  name: string;
  position: number;
  message: string | null;
  actor: string | null;
  /** The changeset recording the tag (source `tag`). */
  changesetId: string;
  createdAt: string;
}

/** What `store.tag(name, options)` takes: the position (default: the log's head now) and who / why. */
export interface TagOptions {
  /** The log position to name; default: the log's head once the writes in flight committed. */
  position?: number;
  /** Why: recorded with the tag and as its changeset's reason. */
  message?: string;
  /** Who tags. */
  actor?: string;
}

/** A tag of that name exists already: tags are immutable, a name is given once. */
export class TagExistsError extends ConflictError {
  constructor(readonly tag: string) {
    super(`tag "${tag}" already exists; tags are immutable: choose another name`);
  }
}

export const TagOptionsSchema = z
  .object({ position: PositionSchema.optional(), message: ReasonSchema.optional(), actor: LabelSchema.optional() })
  .strict();

interface TagRow {
  name: string;
  position: number | string;
  message: string | null;
  actor: string | null;
  changeset_id: string;
  created_at: Date | string;
}

const tagColumns = 'name, position, message, actor, changeset_id, created_at';

function toTag(row: TagRow): Tag {
  return {
    name: row.name,
    position: Number(row.position),
    message: row.message,
    actor: row.actor,
    changesetId: row.changeset_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const query = async <T>(db: MetaledgerDb, text: string, parameters: unknown[] = []): Promise<T[]> =>
  (await db.executeQuery<T>(CompiledQuery.raw(text, parameters))).rows;

/**
 * The log's last position, once the writes in flight have committed (they hold their lock on the log
 * until then): a later write draws a higher position, so nothing appears at or before it afterwards.
 * Holds a SHARE lock on the log until the caller's transaction ends.
 */
async function lockedHead(trx: MetaledgerDb): Promise<number> {
  await query(trx, 'LOCK TABLE metadata_events IN SHARE MODE');
  const [{ head }] = await query<{ head: string | number }>(
    trx,
    `SELECT greatest((SELECT max(position) FROM metadata_events), (SELECT max(position) FROM metadata_pruned_events), 0) AS head`,
  );
  return Number(head);
}

/** The log's last position, final (see lockedHead). */
export function finalHead(db: MetaledgerDb): Promise<number> {
  return db.transaction().execute(lockedHead);
}

/**
 * Names a log position. One tag is written at a time (the tags' hash chain stays linear), and the log's
 * writers in flight are waited for, so the head a tag takes by default is final: a later write draws a
 * higher position. The tag and its changeset (source `tag`) are written together or not at all.
 */
export async function createTag(db: MetaledgerDb, name: string, options: TagOptions = {}): Promise<Tag> {
  const tagName = checkTagName(name);
  const parsed = parseInput(TagOptionsSchema, options ?? {}, 'tag options');
  return db.transaction().execute(async (trx) => {
    await query(trx, 'LOCK TABLE metadata_tags IN EXCLUSIVE MODE');
    const head = await lockedHead(trx);
    if ((await query(trx, 'SELECT 1 FROM metadata_tags WHERE name = $1', [tagName])).length > 0) throw new TagExistsError(tagName);
    const position = parsed.position ?? head;
    if (position > head)
      throw new ValidationError(
        [{ path: 'position', message: `the log ends at position ${head}: a tag names a position it has reached` }],
        'invalid tag',
      );
    await checkChangesetBoundary(trx, position);
    const changesetId = randomUUID();
    await query(
      trx,
      `INSERT INTO metadata_changesets (id, actor, reason, source, event_count, target, created_at, hash_version)
       VALUES ($1, $2, $3, 'tag', 0, $4, date_trunc('milliseconds', now()), 2)`,
      [changesetId, parsed.actor ?? null, parsed.message ?? null, JSON.stringify({ tag: tagName, position })],
    );
    const [row] = await query<TagRow>(
      trx,
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
      [tagName, position, parsed.message ?? null, parsed.actor ?? null, changesetId],
    );
    return toTag(row);
  });
}

/** Every tag, oldest first. */
export async function listTags(db: MetaledgerDb): Promise<Tag[]> {
  return (await query<TagRow>(db, `SELECT ${tagColumns} FROM metadata_tags ORDER BY seq`)).map(toTag);
}

/** The tag of that name, or NOT_FOUND. */
export async function findTag(db: MetaledgerDb, name: string): Promise<Tag> {
  const tagName = checkTagName(name);
  const [row] = await query<TagRow>(db, `SELECT ${tagColumns} FROM metadata_tags WHERE name = $1`, [tagName]);
  if (!row) throw new NotFoundError(`no tag named "${tagName}"`);
  return toTag(row);
}
