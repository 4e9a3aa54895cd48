import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { runStatement } from '../../datasource/statement.js';
import { ValidationError } from '../../errors.js';
import { lastPositionRecordedBy } from '../../events/statements.js';
import type { Moment } from '../../history/moment.js';
import { isPlainObject } from '../../protocol/json.js';
import { checkTagName } from './tag-name.js';
import { findTag } from './tags.js';

/** A moment named by a release tag: the log position the tag names. */
export interface TagMoment {
  tag: string;
}

/** Any moment a history call takes, or a tag. */
export type MomentOrTag = Moment | TagMoment;

/** The text form of a tag moment, as the CLI and the HTTP API write it: `tag:v1.2`. */
export const TAG_PREFIX = 'tag:';

export function isTagMoment(value: unknown): value is TagMoment {
  return isPlainObject(value) && 'tag' in value;
}

/** The tag name of `{ tag }` (no other key) or of `tag:<name>` text; undefined for anything else. */
function tagNameOf(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.startsWith(TAG_PREFIX) ? checkTagName(value.slice(TAG_PREFIX.length), path) : undefined;
  if (!isTagMoment(value)) return undefined;
  const extra = Object.keys(value).filter((key) => key !== 'tag');
  if (extra.length > 0)
    throw new ValidationError([{ path, message: `a tag moment is { tag } alone; also given: ${extra.join(', ')}` }], 'invalid moment');
  return checkTagName(value.tag, `${path}.tag`);
}

/**
 * The moment (or diff side) with a tag — `{ tag }` or `tag:<name>` — replaced by the position it names
 * (NOT_FOUND for an unknown tag); anything else is given back as it is, for the caller's own checks.
 */
export async function untagMoment(db: MetaledgerDb, moment: unknown, path = 'moment'): Promise<unknown> {
  const name = tagNameOf(moment, path);
  return name === undefined ? moment : { position: (await findTag(db, name)).position };
}

/**
 * Options that take their moment as `asOf` or `position` (snapshotAt, restore, export) with `tag`
 * allowed instead: the tag becomes the position it names. Giving a tag and another moment is refused.
 */
export async function untagOptions<T>(db: MetaledgerDb, options: T, path = 'tag'): Promise<T> {
  if (!isPlainObject(options) || !('tag' in options)) return options;
  const { tag, ...rest } = options as Record<string, unknown>;
  const others = ['asOf', 'position'].filter((key) => rest[key] !== undefined);
  if (others.length > 0) throw new ValidationError([{ path, message: `give tag or ${others.join(' / ')}, not both` }], 'invalid moment');
  const name = checkTagName(tag, path);
  return { ...rest, position: (await findTag(db, name)).position } as T;
}

/**
 * The text form of a moment, as the CLI and the HTTP API take it: `tag:<name>` is a tag, digits are a
 * log position, a text starting like a date (`2024-05-01…`) is a date-time, anything else is a tag name.
 */
export function parseMomentText(text: string, path = 'moment'): { position: number } | { asOf: string } | TagMoment {
  if (text.startsWith(TAG_PREFIX)) return { tag: checkTagName(text.slice(TAG_PREFIX.length), path) };
  if (/^\d+$/.test(text)) return { position: Number(text) };
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    if (Number.isNaN(Date.parse(text)))
      throw new ValidationError([{ path, message: `"${text}" is not a valid date-time` }], 'invalid moment');
    return { asOf: text };
  }
  return { tag: checkTagName(text, path) };
}

/**
 * The log position a moment stands for: a position itself, a tag's position, or the last position
 * recorded at or before a date-time (0 when none was). A version names one item's moment, not the log's.
 */
export async function positionOfMoment(db: MetaledgerDb, moment: MomentOrTag, path = 'at'): Promise<number> {
  const resolved = (await untagMoment(db, moment, path)) as Moment;
  if ('position' in resolved) return resolved.position;
  if ('asOf' in resolved) {
    const asOf = new Date(resolved.asOf);
    if (Number.isNaN(asOf.getTime())) throw new ValidationError([{ path, message: 'is not a valid date-time' }], 'invalid moment');
    const [last] = await runStatement(db, lastPositionRecordedBy(asOf));
    return Number(last?.position ?? 0);
  }
  throw new ValidationError([{ path, message: 'give a log position, a date-time or a tag (a version is one item’s)' }], 'invalid moment');
}
