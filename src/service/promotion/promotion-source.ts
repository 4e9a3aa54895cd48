import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { toDocument, type ItemDocument } from '../../events/document.js';
import { statesAt } from '../../history/states-at.js';
import { isPlainObject } from '../../protocol/json.js';
import { bundleFormat } from '../export/export-metadata.js';
import { sourceOfBundle } from '../import/read-import-source.js';
import { positionOfMoment, type MomentOrTag } from '../../change/releases/tag-moment.js';
import { finalHead } from '../../change/releases/tags.js';
import { promotionKey } from '../../change/releases/plan-promotion.js';
import { internalsOf, type MetadataStore } from '../../store/metadata-store.js';

/** Which items a promotion carries: one namespace, some types. */
export interface PromotionSlice {
  /** Only items of this namespace. */
  namespace?: string;
  /** Only items of these types. */
  types?: string[];
}

/** The source's items at the promoted moment, keyed `type/name`, and where they come from. */
export interface SourceState {
  /** Names the source in the target's history; promotions from one source are matched by it. */
  label: string;
  position: number;
  tag?: string;
  items: Map<string, ItemDocument>;
}

const inSlice = (slice: PromotionSlice, document: ItemDocument) =>
  (slice.namespace === undefined || document.namespace === slice.namespace) &&
  (slice.types === undefined || slice.types.includes(document.type));

/** The name a store source goes by, unless the caller gives one: where its data is. */
export const storeLabel = (store: MetadataStore): string => {
  const { datasource } = internalsOf(store);
  return `${datasource.target}/${datasource.schema}`;
};

/** The store's log position a moment stands for (default: its head, once the writes in flight committed). */
export function sourcePosition(store: MetadataStore, at: MomentOrTag | undefined): Promise<number> {
  return at === undefined ? finalHead(store.db) : positionOfMoment(store.db, at, 'at');
}

/** A store's items at a log position (`at`: the moment it was named by, for its tag). */
export async function readSourceStore(
  store: MetadataStore,
  position: number,
  at: MomentOrTag | undefined,
  slice: PromotionSlice,
  label: string,
): Promise<SourceState> {
  const items = new Map<string, ItemDocument>();
  for (const state of (await statesAt(store.db, { position }, { types: slice.types })).values()) {
    if (state.document && inSlice(slice, state.document)) items.set(promotionKey(state.type, state.name), state.document);
  }
  const tag = at !== undefined && 'tag' in at ? at.tag : undefined;
  return { label, position, ...(tag ? { tag } : {}), items };
}

/**
 * An export document's items (the bundle `metaledger export` writes): one moment, its position. Every
 * record is checked as import checks it; any problem refuses the whole document.
 */
export function readSourceDocument(document: unknown, slice: PromotionSlice, label = 'export'): SourceState {
  if (!isPlainObject(document) || document.format !== bundleFormat)
    throw new ValidationError(
      [{ path: 'from', message: `must be an export document { format: '${bundleFormat}', position, items }` }],
      'invalid promotion source',
    );
  const { position } = document;
  if (position !== null && (!Number.isSafeInteger(position) || (position as number) < 0))
    throw new ValidationError(
      [{ path: 'from.position', message: 'must be a log position (an integer >= 0) or null' }],
      'invalid promotion source',
    );
  const source = sourceOfBundle(document, label);
  if (source.issues.length > 0)
    throw new ValidationError(
      source.issues.map((issue) => ({ path: `from.${issue.field}`, message: issue.message })),
      'invalid promotion source',
    );
  const items = new Map<string, ItemDocument>();
  for (const { record } of source.items) {
    const item = toDocument({ ...record, id: record.id ?? randomUUID() } as ItemDocument);
    if (inSlice(slice, item)) items.set(promotionKey(item.type, item.name), item);
  }
  return { label, position: (position as number | null) ?? 0, items };
}
