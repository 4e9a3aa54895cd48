import { extname } from 'node:path';
import { ValidationError } from '../../errors.js';
import { fileFormat } from '../../loaders/file/item-path.js';
import { formatOfPath, type RecordFormat } from '../../loaders/record-file.js';

export interface ExportTarget {
  kind: 'file' | 'directory';
  format: RecordFormat;
  /** Of the files in a directory export. */
  extension: string;
}

/**
 * A path ending in .json, .yaml or .yml is one bundle file; any other path is a directory of
 * `<type>/<name>` files. The format is the one asked for, else the file's extension, else json.
 */
export function exportTarget(output: string, requestedFormat?: 'json' | 'yaml' | 'yml'): ExportTarget {
  const byExtension = formatOfPath(output);
  if (!byExtension) return { kind: 'directory', ...fileFormat(requestedFormat ?? 'json') };
  const requested = requestedFormat && fileFormat(requestedFormat).format;
  if (requested && requested !== byExtension) {
    throw new ValidationError(
      [{ path: 'format', message: `'${requested}' contradicts the output file's extension '${extname(output)}'` }],
      'invalid export options',
    );
  }
  return { kind: 'file', format: byExtension, extension: extname(output) };
}
