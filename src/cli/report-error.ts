import { isMetaledgerError, ValidationError } from '../errors.js';
import { redactSecrets } from '../datasource/redact.js';
import { UsageError } from './command.js';

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Prints `error [CODE]: message` (validation issues one per line) and returns the exit code. */
export function reportError(error: unknown, usage: string, write: (text: string) => void): number {
  // the store redacts its own errors; this also covers anything thrown before a store existed
  const print = (text: string) => write(`${redactSecrets(text)}\n`);
  if (error instanceof UsageError) {
    print(`error: ${error.message}\n\n${usage}`);
    return exitCodes.usage;
  }
  if (error instanceof ValidationError) {
    print(
      [`error [${error.code}]: ${error.context}`, ...error.issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`)].join(
        '\n',
      ),
    );
  } else if (isMetaledgerError(error)) {
    print(`error [${error.code}]: ${error.message}`);
  } else {
    print(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return exitCodes.failed;
}
