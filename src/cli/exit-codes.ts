import type { ErrorCode } from '../errors.js';

/**
 * The exit status of every outcome: one per error code, so a script can tell "not there" from "changed
 * meanwhile" without reading the message. Documented in docs/cli.md; a new error code must get one here.
 */
export const exitCodeByErrorCode: Record<ErrorCode, number> = {
  // a bug or an unexpected failure, like anything that is not a MetaledgerError
  INTERNAL: 1,
  VALIDATION: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  FORBIDDEN: 6,
  DATASOURCE_UNAVAILABLE: 7,
  TIMEOUT: 8,
  MIGRATION_FAILED: 9,
  HISTORY_PRUNED: 10,
  INTEGRITY: 11,
  UNAUTHENTICATED: 12,
  UPCASTER_MISSING: 13,
};

export const exitCodes = {
  ok: 0,
  /** INTERNAL, or anything that is not a MetaledgerError: a bug, reported as such. */
  unexpected: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 2,
} as const;
