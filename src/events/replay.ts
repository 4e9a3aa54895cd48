import { isMetaledgerError, MetaledgerError } from '../errors.js';
import { applyPatchInPlace, type PatchOperation } from './patch.js';

/** The stored event being replayed, as far as an error about it needs. */
export interface ReplayedEvent {
  type: string;
  name: string;
  version: number;
  patch: PatchOperation[];
}

/** An event of the log that does not apply to the state before it: an integrity problem of that item. */
export class ReplayError extends MetaledgerError {
  /** The item and the version whose event does not apply. */
  readonly item: { type: string; name: string; version: number };
  constructor(event: ReplayedEvent, cause: MetaledgerError) {
    super('INTEGRITY', `${event.type}/${event.name} version ${event.version} cannot be replayed: ${cause.message}`, { cause });
    this.item = { type: event.type, name: event.name, version: event.version };
  }
}

/**
 * Applies one stored event's patch to the state before it (in place by default). A patch that does not
 * fit becomes a ReplayError naming the item and version, so callers can report that item and go on.
 */
export function replayEvent<T extends object>(event: ReplayedEvent, state: T | null, apply = applyPatchInPlace<T>): T {
  try {
    return apply(state, event.patch);
  } catch (error) {
    if (isMetaledgerError(error, 'INTEGRITY')) throw new ReplayError(event, error);
    throw error;
  }
}
