import type { MetadataStore } from '../../store/metadata-store.js';
import type { WatchHandle, WatchHandler, WatchOptions } from '../loader.js';

export interface ChangeFeedWatchOptions extends WatchOptions {
  /** Resume after this change-feed cursor (a watch event's `position`); default: from now on. */
  after?: string;
  /** Poll this often even without a change notification (ms). */
  intervalMs?: number;
}

/**
 * The `database:` loader's watch is the store's change feed: commit order, woken by LISTEN/NOTIFY, and
 * resumable from a cursor, so no event is missed or seen twice even when writers commit out of order.
 */
export function watchChangeFeed(store: MetadataStore, handler: WatchHandler, options: ChangeFeedWatchOptions = {}): WatchHandle {
  const opening = store.watch(
    { types: options.types, after: options.after, pollIntervalMs: options.intervalMs },
    ({ type, path, metadataType, name, data, timestamp, position }) =>
      handler({ type, path, metadataType, name, data, timestamp, position }),
  );
  opening.catch((error) => options.onError?.(error));
  return {
    ready: opening.then(() => undefined),
    async close() {
      await (await opening).close();
    },
  };
}
