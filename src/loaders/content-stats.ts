import { createHash } from 'node:crypto';
import type { MetadataFormat, MetadataStats } from '../protocol/index.js';

/** The protocol's MetadataStats as metaledger's loaders fill them: size, time, hash and etag are always there. */
export type ItemStats = MetadataStats & Required<Pick<MetadataStats, 'size' | 'mtime' | 'hash' | 'etag'>>;

/** Size, time, content hash and an etag derived from the hash: what any loader can say about an item. */
export function contentStats(bytes: string | Uint8Array, mtime: Date, format?: MetadataFormat, etag?: string): ItemStats {
  const hash = createHash('sha256').update(bytes).digest('hex');
  return {
    size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength,
    mtime: mtime.toISOString(),
    hash,
    etag: etag ?? hashEtag(hash),
    ...(format ? { format } : {}),
  };
}

/** A strong etag from a content hash (the first 128 bits are plenty to tell versions apart). */
export function hashEtag(hash: string): string {
  return `"${hash.slice(0, 32)}"`;
}
