import { extname } from 'node:path';
import { ValidationError } from '../../errors.js';
import { formatOfPath, type RecordFormat } from '../../loaders/record-file.js';

export interface ExportTarget {
  kind: 'file' | 'directory';
  format: RecordFormat;
}

/**
 * A path ending in .json, .yaml or .yml is one bundle file; any other path is a directory of
 * `<type>/<name>` files. The format is the one asked for, else the file's extension, else json.
 */
export function exportTarget(output: string, requested?: RecordFormat): ExportTarget {
  const byExtension = formatOfPath(output);
  if (!byExtension) return { kind: 'directory', format: requested ?? 'json' };
  if (requested && requested !== byExtension) {
    throw new ValidationError(
      [{ path: 'format', message: `'${requested}' contradicts the output file's extension '${extname(output)}'` }],
      'invalid export options',
    );
  }
  return { kind: 'file', format: byExtension };
}
