import { z } from 'zod';

/** PostgreSQL silently truncates identifiers longer than NAMEDATALEN - 1 = 63 bytes. */
export const SQL_IDENTIFIER_MAX_LENGTH = 63;

/** What a configured SQL identifier (schema, table, column) must look like; it is then quoted. */
export const SQL_IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The message of an identifier that does not match SQL_IDENTIFIER_PATTERN. */
export const SQL_IDENTIFIER_MESSAGE = 'must be a SQL identifier: letters, digits, underscore, not starting with a digit';

/** Quote a user value for an error message, cut short so a huge input cannot flood the output. */
export function quoteForMessage(value: string, max = 64): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}

/**
 * A table / schema / column / index name taken from configuration.
 * Only plain identifiers are accepted, so a configured name can never smuggle SQL.
 */
export const SqlIdentifierSchema = z
  .string({ invalid_type_error: `${SQL_IDENTIFIER_MESSAGE} (expected a string)` })
  .max(SQL_IDENTIFIER_MAX_LENGTH, {
    message: `must be at most ${SQL_IDENTIFIER_MAX_LENGTH} characters (PostgreSQL identifier limit)`,
  })
  .refine(
    (value) => SQL_IDENTIFIER_PATTERN.test(value),
    (value) => ({ message: `${quoteForMessage(value)} ${SQL_IDENTIFIER_MESSAGE}` }),
  );

export type SqlIdentifier = z.infer<typeof SqlIdentifierSchema>;
