import { randomUUID } from 'node:crypto';
import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { runStatement } from '../../datasource/statement.js';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkChangesetBoundary } from '../../history/restore.js';
import { lastLogPosition, lockLogForAnchor } from '../../history/statements/anchor.js';
import { LabelSchema, PositionSchema, ReasonSchema } from '../../input/call-options.js';
import { parseInput } from '../../input/parse-input.js';
import * as tagStatements from './release-statements.js';
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

function toTag(row: tagStatements.TagRow): Tag {
  return {
    name: row.name,
    position: Number(row.position),
    message: row.message,
    actor: row.actor,
    changesetId: row.changeset_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * The log's last position, once the writes in flight have committed (they hold their lock on the log
 * until then): a later write draws a higher position, so nothing appears at or before it afterwards.
 * Holds a SHARE lock on the log until the caller's transaction ends.
 */
async function lockedHead(trx: MetaledgerDb): Promise<number> {
  // the same final head an anchor takes (see history/statements/anchor.ts)
  await runStatement(trx, lockLogForAnchor());
  const [{ position }] = await runStatement(trx, lastLogPosition());
  return Number(position);
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
    await runStatement(trx, tagStatements.lockTags());
    const head = await lockedHead(trx);
    if ((await runStatement(trx, tagStatements.tagExists(tagName))).length > 0) throw new TagExistsError(tagName);
    const position = parsed.position ?? head;
    if (position > head)
      throw new ValidationError(
        [{ path: 'position', message: `the log ends at position ${head}: a tag names a position it has reached` }],
        'invalid tag',
      );
    await checkChangesetBoundary(trx, position);
    const changesetId = randomUUID();
    const tag = { changesetId, name: tagName, position, actor: parsed.actor ?? null, message: parsed.message ?? null };
    await runStatement(trx, tagStatements.insertTagChangeset(tag));
    const [row] = await runStatement(trx, tagStatements.insertTag(tag));
    return toTag(row);
  });
}

/** Every tag, oldest first. */
export async function listTags(db: MetaledgerDb): Promise<Tag[]> {
  return (await runStatement(db, tagStatements.allTags())).map(toTag);
}

/** The tag of that name, or NOT_FOUND. */
export async function findTag(db: MetaledgerDb, name: string): Promise<Tag> {
  const tagName = checkTagName(name);
  const [row] = await runStatement(db, tagStatements.tagNamed(tagName));
  if (!row) throw new NotFoundError(`no tag named "${tagName}"`);
  return toTag(row);
}
