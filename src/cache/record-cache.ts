import { LRUCache } from 'lru-cache';

export interface RecordCacheOptions {
  enabled: boolean;
  ttlSeconds: number;
  max?: number;
}

/** Per-instance LRU of loaded records keyed by (type, name); disabled means every call misses. */
export class RecordCache<V extends object> {
  private readonly cache: LRUCache<string, V> | null;

  constructor(options: RecordCacheOptions) {
    this.cache = options.enabled
      ? new LRUCache<string, V>({ max: options.max ?? 10_000, ttl: options.ttlSeconds > 0 ? options.ttlSeconds * 1000 : undefined })
      : null;
  }

  private static key(type: string, name: string): string {
    return `${type}\u0000${name}`;
  }

  get(type: string, name: string): V | undefined {
    return this.cache?.get(RecordCache.key(type, name));
  }

  set(type: string, name: string, value: V): void {
    this.cache?.set(RecordCache.key(type, name), value);
  }

  delete(type: string, name: string): void {
    this.cache?.delete(RecordCache.key(type, name));
  }

  clear(): void {
    this.cache?.clear();
  }
}
