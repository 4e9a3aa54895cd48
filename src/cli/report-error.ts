import { redactSecrets } from '../datasource/redact.js';
import { isMetaledgerError, ValidationError, type ValidationIssue } from '../errors.js';
import { UsageError } from './command.js';
import { exitCodeByErrorCode, exitCodes } from './exit-codes.js';

/** What `--json` prints on stderr for a failure. */
export interface JsonError {
  error: {
    /** An ErrorCode (INTERNAL for anything unexpected), or `USAGE` for a wrong command line. */
    code: string;
    message: string;
    /** VALIDATION: every problem with its path. */
    issues?: ValidationIssue[];
    /** USAGE: how the command is called. */
    usage?: string;
    exitCode: number;
  };
}

function describe(error: unknown, usage: string): JsonError['error'] {
  if (error instanceof UsageError) return { code: 'USAGE', message: error.message, usage, exitCode: exitCodes.usage };
  if (error instanceof ValidationError) {
    return { code: error.code, message: error.context, issues: error.issues, exitCode: exitCodeByErrorCode[error.code] };
  }
  if (isMetaledgerError(error)) return { code: error.code, message: error.message, exitCode: exitCodeByErrorCode[error.code] };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), exitCode: exitCodes.unexpected };
}

function humanText(error: JsonError['error']): string {
  if (error.code === 'USAGE') return `error: ${error.message}\n\n${error.usage}`;
  const issues = (error.issues ?? []).map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`);
  return [`error [${error.code}]: ${error.message}`, ...issues].join('\n');
}

/**
 * Prints a failure on stderr — `error [CODE]: message` with validation issues one per line, or one JSON
 * object with `--json` — and returns its exit code (see exit-codes.ts).
 */
export function reportError(error: unknown, options: { usage: string; json: boolean; write: (text: string) => void }): number {
  const described = describe(error, options.usage);
  const text = options.json ? JSON.stringify({ error: described } satisfies JsonError, null, 2) : humanText(described);
  // the store redacts its own errors; this also covers anything thrown before a store existed
  options.write(`${redactSecrets(text)}\n`);
  return described.exitCode;
}
