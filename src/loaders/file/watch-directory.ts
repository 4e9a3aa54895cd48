import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetadataLoader, WatchHandle, WatchHandler, WatchOptions } from '../loader.js';
import type { ScannedItem } from './file-loader.js';
import { keyOfPath } from './item-path.js';

/** What the watcher needs from the file loader. */
interface WatchedDirectory {
  readonly root: string;
  scan(types?: string[]): Promise<{ items: ScannedItem[] }>;
  types(): Promise<string[]>;
  load: MetadataLoader['load'];
}

/**
 * Watches the root (for new type folders) and each type folder (for item files): the layout is two
 * levels deep, so plain inotify-backed watchers cover it without recursive watching. fs.watch fires
 * several events per write and says nothing about content, so each item is re-read and compared with
 * the etag last seen: only real changes are reported, and a half-written file (an error) is not.
 */
export function watchDirectory(directory: WatchedDirectory, handler: WatchHandler, options: WatchOptions = {}): WatchHandle {
  const onError = options.onError ?? (() => {});
  const wanted = (type: string) => !options.types || options.types.includes(type);
  const known = new Map<string, string>();
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let queue = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch(onError);
  };

  const check = async (type: string, name: string, file: string) => {
    const id = `${type}/${name}`;
    const previous = known.get(id);
    const { data, etag } = await directory.load(type, name);
    const timestamp = new Date().toISOString();
    if (!data || !etag) {
      if (previous === undefined) return;
      known.delete(id);
      await handler({ type: 'deleted', metadataType: type, name, path: file, timestamp });
      return;
    }
    if (previous === etag) return;
    known.set(id, etag);
    await handler({ type: previous === undefined ? 'added' : 'changed', metadataType: type, name, path: file, data, timestamp });
  };

  const onItemEvent = (file: string) => {
    const key = keyOfPath(file);
    if (key && wanted(key.type)) enqueue(() => check(key.type, key.name, file));
  };

  /** Watches one type folder; a folder that appeared after the start may already hold files. */
  const watchType = async (type: string, existing: boolean) => {
    if (closed || watchers.has(type) || !wanted(type)) return;
    const watcher = watch(join(directory.root, type), (_event, filename) => filename && onItemEvent(join(type, filename.toString())));
    watcher.on('error', () => watchers.delete(type));
    watchers.set(type, watcher);
    if (!existing) for (const file of await readdir(join(directory.root, type))) onItemEvent(join(type, file));
  };

  const root = watch(directory.root, () =>
    enqueue(async () => {
      for (const type of await directory.types()) await watchType(type, false);
    }),
  );
  root.on('error', onError);
  // watchers first, then the scan: an event in between waits in the queue and is checked after it
  enqueue(async () => {
    const types = await directory.types();
    for (const type of types) await watchType(type, true);
    // only type folders under the root: a named type whose folder leads out of it is not scanned
    const { items } = await directory.scan(types.filter(wanted));
    for (const item of items) known.set(`${item.record.type}/${item.record.name}`, item.stats.etag);
  });
  const ready = queue;
  return {
    ready,
    async close() {
      closed = true;
      root.close();
      for (const watcher of watchers.values()) watcher.close();
      await queue;
    },
  };
}
