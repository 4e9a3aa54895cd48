import { ValidationError } from '../errors.js';
import type { ItemDocument } from '../events/document.js';
import { requireStream } from './item-ref.js';
import { resolveMoment, type Moment, type ResolvedMoment } from './moment.js';
import { statesAt, statesAtVersions } from './states-at.js';
import type { MetaledgerDb } from '../datasource/database-schema.js';
import { runStatement } from '../datasource/statement.js';
import { versionAtMoment } from './statements/time-travel.js';

/** An item at a moment; the three outcomes are told apart, never a bare null. */
export type ItemAt =
  | { status: 'exists'; type: string; name: string; version: number; recordedAt: string; document: ItemDocument }
  | { status: 'deleted'; type: string; name: string; version: number; recordedAt: string; document: null }
  | { status: 'not_yet_created'; type: string; name: string; version: 0; document: null };

export async function getAt(db: MetaledgerDb, type: string, name: string, moment: Moment): Promise<ItemAt> {
  const resolved = resolveMoment(moment);
  const head = await requireStream(db, type, name);
  if ('version' in resolved && resolved.version > head.version) {
    throw new ValidationError(
      [{ path: 'version', message: `${type}/${name} has no version ${resolved.version} (latest is ${head.version})` }],
      'invalid moment',
    );
  }
  // one item: find its version at the moment through an index, then fold from the nearest full state,
  // so the cost does not grow with the item's history; anything unusual (pruned, not yet created)
  // takes the general path
  const atMoment = await versionAt(db, head.itemId, resolved);
  const direct = atMoment ? (await statesAtVersions(db, [{ itemId: head.itemId, version: atMoment }])).get(head.itemId) : undefined;
  const state = direct ?? (await statesAt(db, resolved, { itemIds: [head.itemId] })).get(head.itemId);
  if (!state) return { status: 'not_yet_created', type, name, version: 0, document: null };
  const { version, recordedAt } = state;
  return state.document
    ? { status: 'exists', type, name, version, recordedAt, document: state.document }
    : { status: 'deleted', type, name, version, recordedAt, document: null };
}

/** The item's last retained version at or before the moment (its index answers without a scan). */
async function versionAt(db: MetaledgerDb, itemId: string, moment: ResolvedMoment): Promise<number | undefined> {
  if ('version' in moment) return moment.version;
  return (await runStatement(db, versionAtMoment(itemId, moment)))[0]?.version;
}
