import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeFeed, type WatchEvent, type WatchOptions } from './change-feed.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';

/** A running watch: where it is in the log, and how to stop it. */
export interface WatchHandle {
  /** The resume point after the last event handed to the handler. */
  readonly position: string;
  /** Stops the watch; no handler call starts after it resolves. */
  close(): Promise<void>;
}

/**
 * Runs a change feed: hands each event to `handler` in commit order, one at a time, then waits for a
 * wake-up (a change notification) or the poll interval. Errors from the handler stop the watch.
 */
export class Watcher implements WatchHandle {
  private closed = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  private delivered: string;

  private constructor(
    private readonly feed: ChangeFeed,
    private readonly handler: (event: WatchEvent) => unknown,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.delivered = feed.position;
  }

  static async start(
    db: MetaledgerDb,
    options: WatchOptions,
    handler: (event: WatchEvent) => unknown,
    onError: (error: unknown) => void,
  ): Promise<Watcher> {
    const watcher = new Watcher(await ChangeFeed.open(db, options), handler, options.pollIntervalMs ?? 1000, onError);
    watcher.loop = watcher.run();
    return watcher;
  }

  get position(): string {
    return this.delivered;
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        const events = await this.feed.next();
        for (const event of events) {
          if (this.closed) return;
          await this.handler(event);
          this.delivered = event.position;
        }
        if (events.length === 0) await this.waitForWake();
      }
    } catch (error) {
      if (!this.closed) this.onError(error);
    }
  }

  private waitForWake(): Promise<void> {
    const controller = new AbortController();
    return Promise.race([
      new Promise<void>((resolve) => (this.wakeUp = resolve)),
      sleep(this.pollIntervalMs, undefined, { signal: controller.signal }).catch(() => {}),
    ]).finally(() => {
      controller.abort();
      this.wakeUp = undefined;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.loop;
  }
}

/** The same feed as an async iterator; `return()` (a `break` in for-await) closes it. */
export async function watchIterator(
  db: MetaledgerDb,
  options: WatchOptions,
  register: (watcher: Watcher) => () => void,
): Promise<AsyncIterableIterator<WatchEvent>> {
  const queue: WatchEvent[] = [];
  let waiting: ((result: IteratorResult<WatchEvent>) => void) | undefined;
  let failure: unknown;
  let failed: ((error: unknown) => void) | undefined;
  const watcher = await Watcher.start(
    db,
    options,
    (event) => {
      if (waiting) {
        waiting({ value: event, done: false });
        waiting = undefined;
      } else queue.push(event);
    },
    (error) => {
      failure = error;
      failed?.(error);
    },
  );
  const unregister = register(watcher);
  const finish = async (): Promise<IteratorResult<WatchEvent>> => {
    unregister();
    await watcher.close();
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<WatchEvent> = {
    [Symbol.asyncIterator]: () => iterator,
    next() {
      if (failure) return Promise.reject(failure);
      const queued = queue.shift();
      if (queued) return Promise.resolve({ value: queued, done: false });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failed = reject;
      });
    },
    return: finish,
  };
  return iterator;
}
