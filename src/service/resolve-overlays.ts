import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import type { MetadataScope, StrictMetadataRecord as MetadataRecord } from '../protocol/index.js';
import { mergePatch } from './merge-patch.js';

/** An item as the loader chain found it. */
export interface FoundItem {
  record: MetadataRecord;
  etag: string;
  /** The name of the loader holding it. */
  loader: string;
}

/** One layer of an effective item, bottom (the base) first. */
export interface OverlayLayer {
  loader: string;
  name: string;
  scope: MetadataScope;
  strategy: 'merge' | 'replace';
  etag: string;
  version?: number;
}

export interface OverlayLookup {
  find(name: string): Promise<FoundItem | undefined>;
  /** Live items of `scope` (of `owner`, for user items) that extend one of `names`. */
  overlaysOf(names: string[], scope: MetadataScope, owner?: string): Promise<FoundItem[]>;
}

const scopeOrder: MetadataScope[] = ['system', 'platform', 'user'];
const maxDepth = 32;

/**
 * The layers of an item: up through what it `extends` to its base, then down through the overlays of
 * the stricter scopes (platform items extending it, then the owner's user items).
 */
export async function resolveLayers(start: FoundItem, lookup: OverlayLookup, owner?: string): Promise<FoundItem[]> {
  const layers = [start];
  const seen = [start.record.name];
  for (let parentName = start.record.extends; parentName !== undefined; parentName = layers[0].record.extends) {
    if (seen.includes(parentName) || seen.length > maxDepth) {
      throw new ValidationError(
        [{ path: 'extends', message: `${seen.join(' → ')} → ${parentName} never reaches a base item` }],
        'invalid overlay chain',
      );
    }
    const parent = await lookup.find(parentName);
    if (!parent) throw new NotFoundError(`${start.record.type}/${layers[0].record.name} extends '${parentName}', which does not exist`);
    layers.unshift(parent);
    seen.push(parentName);
  }
  for (const scope of scopeOrder.slice(scopeOrder.indexOf(start.record.scope) + 1)) {
    if (scope === 'user' && owner === undefined) continue;
    const names = layers.map((layer) => layer.record.name);
    const overlays = await lookup.overlaysOf(names, scope, scope === 'user' ? owner : undefined);
    layers.push(...overlays.filter((overlay) => !names.includes(overlay.record.name)));
  }
  return layers;
}

/** The effective item: the requested item's envelope over its layers' payloads, each combined by its strategy. */
export function effectiveRecord(requested: MetadataRecord, layers: FoundItem[]): MetadataRecord {
  const metadata = layers
    .slice(1)
    .reduce<unknown>(
      (below, layer) =>
        layer.record.strategy === 'replace' ? structuredClone(layer.record.metadata) : mergePatch(below, layer.record.metadata),
      structuredClone(layers[0].record.metadata),
    );
  return { ...structuredClone(requested), metadata: metadata as Record<string, unknown> };
}

/** One layer keeps its own etag (so a plain item has the etag its loader gives); several get one over all. */
export function layersEtag(layers: FoundItem[]): string {
  if (layers.length === 1) return layers[0].etag;
  const hash = createHash('sha256')
    .update(layers.map((layer) => `${layer.loader}\u0000${layer.record.name}\u0000${layer.etag}`).join('\u0001'))
    .digest('hex');
  return `"o${hash.slice(0, 31)}"`;
}

export function describeLayer(layer: FoundItem): OverlayLayer {
  const { record } = layer;
  return {
    loader: layer.loader,
    name: record.name,
    scope: record.scope,
    strategy: record.strategy,
    etag: layer.etag,
    ...(record.version !== undefined ? { version: record.version } : {}),
  };
}
