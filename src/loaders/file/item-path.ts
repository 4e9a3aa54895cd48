import { join, sep } from 'node:path';
import { ValidationError } from '../../errors.js';
import { formatOfPath, recordExtensions, type ItemKey, type RecordFormat } from '../record-file.js';

// A type or name becomes one path segment: no separators, no control characters, and no leading dot
// (that would make it hidden, and hidden files are the loader's own temp files).
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const SAFE_SEGMENT = /^[^./\\\u0000-\u001F\u007F][^/\\\u0000-\u001F\u007F]*$/;

export function checkSegment(value: string, what: 'type' | 'name'): void {
  if (!SAFE_SEGMENT.test(value)) {
    throw new ValidationError(
      [{ path: what, message: `'${value}' cannot be a file name: no '/', '\\', control characters or leading '.'` }],
      `invalid ${what} for a file loader`,
    );
  }
}

export const extensionOf = (format: RecordFormat) => (format === 'json' ? '.json' : '.yaml');

/** A protocol format metaledger writes, as the record format and the extension of a new file (`yml`: YAML as .yml). */
export function fileFormat(format: 'json' | 'yaml' | 'yml'): { format: RecordFormat; extension: string } {
  return format === 'yml' ? { format: 'yaml', extension: '.yml' } : { format, extension: extensionOf(format) };
}

export function itemPath(root: string, type: string, name: string, extension: string): string {
  return join(root, type, `${name}${extension}`);
}

export function candidatePaths(root: string, type: string, name: string): string[] {
  return recordExtensions.map((extension) => itemPath(root, type, name, extension));
}

/** `<type>/<name>.<ext>` relative to the root, or undefined for any other file (temp files, notes, …). */
export function keyOfPath(relativePath: string): (ItemKey & { format: RecordFormat }) | undefined {
  const parts = relativePath.split(sep);
  const format = formatOfPath(relativePath);
  if (parts.length !== 2 || !format) return undefined;
  const [type, file] = parts;
  const name = file.slice(0, file.lastIndexOf('.'));
  return SAFE_SEGMENT.test(type) && SAFE_SEGMENT.test(name) ? { type, name, format } : undefined;
}
