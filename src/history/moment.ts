import { ValidationError } from '../errors.js';

/** A point in an item's or the store's past: a version (one item), a timestamp, or a log position. */
export type Moment = { version: number } | { asOf: Date | string } | { position: number };

export type ResolvedMoment = { version: number } | { asOf: Date } | { position: number };

export function resolveMoment(moment: Moment, path = 'moment'): ResolvedMoment {
  if ('version' in moment) {
    if (!Number.isInteger(moment.version) || moment.version < 0) throw invalid(`${path}.version`, 'must be an integer >= 0');
    return moment;
  }
  if ('position' in moment) {
    if (!Number.isInteger(moment.position) || moment.position < 0) throw invalid(`${path}.position`, 'must be an integer >= 0');
    return moment;
  }
  if ('asOf' in moment) {
    const asOf = new Date(moment.asOf);
    if (Number.isNaN(asOf.getTime())) throw invalid(`${path}.asOf`, `"${String(moment.asOf)}" is not a valid date-time`);
    return { asOf };
  }
  throw invalid(path, 'give one of version, asOf or position');
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }], 'invalid moment');
}

/** The moment in words, for messages. */
export function describeMoment(moment: ResolvedMoment): string {
  if ('version' in moment) return `version ${moment.version}`;
  if ('position' in moment) return `position ${moment.position}`;
  return moment.asOf.toISOString();
}
