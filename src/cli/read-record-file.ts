import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';

/**
 * Reads `--file` (`-` is stdin). The file holds a whole record `{ namespace?, scope?, metadata, … }`
 * or, when it has no `metadata` key, just the metadata payload.
 */
export async function readRecordFile(path: string, readStdin: () => Promise<string>): Promise<Record<string, unknown>> {
  const source = path === '-' ? 'stdin' : path;
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError([{ path: source, message: (error as Error).message }], 'cannot read --file');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: source, message: (error as Error).message }], 'malformed JSON');
  }
  const isWholeRecord = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'metadata' in parsed;
  return isWholeRecord ? (parsed as Record<string, unknown>) : { metadata: parsed };
}
