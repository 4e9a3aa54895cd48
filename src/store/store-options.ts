import type { StrictMetadataLoadOptions, StrictMetadataSaveOptions } from '../protocol/index.js';
import { refuseInapplicable, type InapplicableOption } from '../input/parse-input.js';

const NOT_A_FILE = 'the database store keeps each item as a JSON document in a table, not as a file';

/**
 * Save options that shape or place a file, or that would skip what the store always does: refused on
 * the database store, each with the reason. (`atomic: true` and `validate: true` are what it does anyway.)
 */
export function refuseInapplicableSaveOptions(options: StrictMetadataSaveOptions, where = 'save options'): void {
  refuseInapplicable(where, [
    ['format', options.format !== undefined, `${NOT_A_FILE}: there is no file format to choose`],
    ['path', options.path !== undefined, `${NOT_A_FILE}: items are found by type and name, not by path`],
    ['prettify', options.prettify !== undefined, `${NOT_A_FILE}: there is no text to lay out`],
    ['indent', options.indent !== undefined, `${NOT_A_FILE}: there is no text to indent`],
    ['sortKeys', options.sortKeys !== undefined, `${NOT_A_FILE}: there is no text to order`],
    ['backup', options.backup !== undefined, 'every earlier version stays in the history (store.getAt, rollback); there is no backup file'],
    ['atomic', options.atomic === false, 'every save is one atomic statement; it cannot be made non-atomic'],
    ['validate', options.validate === false, 'the store validates every record before it writes it; invalid records are refused'],
    ...notChosenByName(options),
  ]);
}

/** Load options for file loaders: a store is not a directory tree of files. */
export function refuseFileLoadOptions(options: Pick<StrictMetadataLoadOptions, 'patterns' | 'recursive'>, where = 'load options'): void {
  refuseInapplicable(where, [
    ['patterns', options.patterns !== undefined, 'glob patterns match file names; the database has no files (filter with filters.name)'],
    ['recursive', options.recursive !== undefined, 'the database has no folders to descend into'],
  ]);
}

/** `loader` and `datasource` pick among several loaders (in the service); the store is just itself. */
export function notChosenByName(options: { loader?: string; datasource?: string }): InapplicableOption[] {
  return [
    ['loader', options.loader !== undefined, 'picks one of a service’s loaders; a store is not chosen by name'],
    ['datasource', options.datasource !== undefined, 'picks the loaders of a datasource in a service; a store is not chosen by name'],
  ];
}
