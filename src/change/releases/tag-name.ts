import { ValidationError } from '../../errors.js';

/** The longest tag name accepted. */
export const MAX_TAG_NAME_LENGTH = 100;

// Letters and digits of any script, then also `.`, `_`, `-` and `@`: no whitespace, control or format
// characters, nothing a URL, a shell or the `tag:` moment text would have to escape.
const tagNamePattern = /^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u;

/** Why `value` is not a tag name, or undefined when it is one. */
export function tagNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_TAG_NAME_LENGTH) return `must be at most ${MAX_TAG_NAME_LENGTH} characters`;
  if (!tagNamePattern.test(value)) return 'must start with a letter or digit and hold only letters, digits, ".", "_", "-" and "@"';
  return undefined;
}

/** The tag name, or a VALIDATION error saying what is wrong with it and where. */
export function checkTagName(value: unknown, path = 'tag'): string {
  const problem = tagNameProblem(value);
  if (problem) throw new ValidationError([{ path, message: problem }], 'invalid tag name');
  return value as string;
}
