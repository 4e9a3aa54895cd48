/** An item's key: its stream is one per type and name. */
export interface ItemKey {
  type: string;
  name: string;
}

/** The key of an item's stream, for maps and sets of items. */
export const keyOf = (item: ItemKey): string => `${item.type}\u0000${item.name}`;

/** One order of items for every writer that locks several streams: concurrent writers wait instead of deadlocking. */
export const byKey = (a: ItemKey, b: ItemKey): number => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
