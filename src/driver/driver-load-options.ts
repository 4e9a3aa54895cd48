import type { StrictMetadataLoadOptions } from '../protocol/index.js';
import { refuseInapplicable } from '../input/parse-input.js';
import { notChosenByName, refuseFileLoadOptions } from '../store/store-options.js';

/**
 * Options driver.list and driver.loadTypes cannot honour: they read the projection by filters, so file
 * options, a loader's name and an etag (which belongs to one item, not a list) do not apply.
 */
export function refuseInapplicableListOptions(options: StrictMetadataLoadOptions): void {
  refuseFileLoadOptions(options);
  refuseInapplicable('load options', [
    ...notChosenByName(options),
    ['ifNoneMatch', options.ifNoneMatch !== undefined, 'an etag names one version of one item; a list has none (load each item)'],
  ]);
}

/** Options driver.load with filters cannot honour: it reads one item, so file options, a loader's name, sort and limit do not apply. */
export function refuseInapplicableFilteredLoadOptions(options: StrictMetadataLoadOptions): void {
  refuseFileLoadOptions(options);
  refuseInapplicable('load options', [
    ...notChosenByName(options),
    ['sort', options.sort !== undefined, 'driver.load reads one item: there is no list to sort (driver.list)'],
    ['limit', options.limit !== undefined, 'driver.load reads one item: there is no list to limit (driver.list)'],
  ]);
}
