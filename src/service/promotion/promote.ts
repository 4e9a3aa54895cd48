import type { MetaledgerDb } from '../../datasource/database-schema.js';
import { runStatement } from '../../datasource/statement.js';
import { z } from 'zod';
import { ConflictError, ValidationError } from '../../errors.js';
import { nextEvent } from '../../events/next-event.js';
import { readStreamHeads } from '../../events/read-stream-head.js';
import type { ChangeReason } from '../../history/history-writer.js';
import { statesAt } from '../../history/states-at.js';
import { IdentitySchema, LabelSchema, ReasonSchema, TypeKeySchema } from '../../input/call-options.js';
import { atPublicBoundary } from '../../input/public-boundary.js';
import { internalsOf, MetadataStore } from '../../store/metadata-store.js';
import { parseInput } from '../../input/parse-input.js';
import type { ItemDocument } from '../../events/document.js';
import {
  planPromotion,
  promotionKey,
  type OnPromotionConflict,
  type PromotionStep,
  type PromotionWrite,
} from '../../change/releases/plan-promotion.js';
import {
  readSourceDocument,
  readSourceStore,
  sourcePosition,
  storeLabel,
  type PromotionSlice,
  type SourceState,
} from './promotion-source.js';
import * as promotionStatements from '../../change/releases/release-statements.js';
import { parseMomentText, type MomentOrTag } from '../../change/releases/tag-moment.js';

/** What `promote` takes: the source and its moment, the target, the slice, who and why, and how to treat conflicts. */
export interface PromoteOptions extends ChangeReason, PromotionSlice {
  /** A store (its state at `at`, default its head), or an export document (one moment: its own position). */
  from: MetadataStore | Record<string, unknown>;
  /** The store the promotion is applied to, as one changeset. */
  to: MetadataStore;
  /** The source's moment: `{ position }`, `{ asOf }`, `{ tag }` or their text (`tag:v1`, `1042`, an ISO date-time). Stores only. */
  at?: MomentOrTag | string;
  /** Names the source in the target's history (default: the source store's place, or `export`). */
  sourceName?: string;
  /** What to do with items the target changed since the last promotion from this source (default: refuse). */
  onConflict?: OnPromotionConflict;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
}

/** What a promotion did (or, on a dry run, would do), per item. */
export interface PromotionResult {
  source: string;
  /** The source's log position promoted. */
  position: number;
  tag?: string;
  dryRun: boolean;
  /** The target already holds a promotion of this position from this source (and slice): nothing was done. */
  alreadyPromoted: boolean;
  steps: PromotionStep[];
  /** The changeset holding the promotion in the target (absent on a dry run or when nothing changed). */
  changesetId?: string;
}

/** The target changed items since the last promotion from this source, and `onConflict` is `refuse`. */
export class PromotionConflictError extends ConflictError {
  constructor(readonly conflicts: PromotionStep[]) {
    super(
      `the target changed ${conflicts.length} item(s) since the last promotion from this source: ${conflicts
        .slice(0, 10)
        .map((step) => `${step.type}/${step.name}`)
        .join(', ')}${conflicts.length > 10 ? ', …' : ''}; choose onConflict 'skip' or 'overwrite', or reconcile them first`,
    );
  }
}

const PromoteOptionsSchema = z
  .object({
    from: z.custom<MetadataStore | Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null,
      'must be a store or an export document',
    ),
    to: z.custom<MetadataStore>((value) => value instanceof MetadataStore, 'must be a store'),
    at: z.union([z.string().max(200), z.object({}).passthrough()]).optional(),
    namespace: IdentitySchema.optional(),
    types: z.array(TypeKeySchema).min(1).optional(),
    actor: LabelSchema.optional(),
    reason: ReasonSchema.optional(),
    correlationId: LabelSchema.optional(),
    sourceName: LabelSchema.optional(),
    onConflict: z.enum(['refuse', 'skip', 'overwrite']).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

const isStore = (from: unknown): from is MetadataStore => from instanceof MetadataStore;

/** What the target records of a promotion, in its changeset's target: the source, its position, the slice. */
interface PromotionRecord {
  from: string;
  position: number;
  tag: string | null;
  namespace: string | null;
  types: string[] | null;
  /** Items this promotion skipped as conflicts (`type/name`): the next one still treats them as conflicts. */
  skipped: string[];
}

/**
 * The last promotion from this source (and slice) the target holds: the source position it promoted and
 * the target's log position right after it.
 */
async function lastPromotion(
  db: MetaledgerDb,
  record: PromotionRecord,
): Promise<{ sourcePosition: number; targetPosition: number; skipped: string[] } | undefined> {
  const [row] = await runStatement(db, promotionStatements.lastPromotion(record));
  if (!row) return undefined;
  const skipped = Array.isArray(row.skipped) ? row.skipped.filter((key): key is string => typeof key === 'string') : [];
  return { sourcePosition: Number(row.source_position), targetPosition: Number(row.target_position), skipped };
}

function promotionRecord(label: string, position: number, at: MomentOrTag | undefined, slice: PromotionSlice): PromotionRecord {
  const tag = at !== undefined && 'tag' in at ? at.tag : null;
  return { from: label, position, tag, namespace: slice.namespace ?? null, types: slice.types ?? null, skipped: [] };
}

function alreadyPromoted(label: string, position: number, at: MomentOrTag | undefined, dryRun: boolean): PromotionResult {
  const tag = at !== undefined && 'tag' in at ? at.tag : undefined;
  return { source: label, position, ...(tag ? { tag } : {}), dryRun, alreadyPromoted: true, steps: [] };
}

const kindOf = (write: PromotionWrite) => (write.document === null ? 'deleted' : write.head?.document ? 'updated' : 'created');

/** The target's side of the plan, read in the commit's transaction: its heads now and its state after the last promotion. */
async function readTarget(db: MetaledgerDb, source: SourceState, slice: PromotionSlice, since: number | undefined) {
  const inSlice = (key: string, document: ItemDocument | null) =>
    source.items.has(key) || (document !== null && (slice.namespace === undefined || document.namespace === slice.namespace));
  const target = new Map<string, Awaited<ReturnType<typeof readStreamHeads>>[number]>();
  for (const head of await readStreamHeads(db, { types: slice.types })) {
    const key = promotionKey(head.type, head.name);
    if (inSlice(key, head.document)) target.set(key, head);
  }
  const base = new Map<string, ItemDocument>();
  if (since !== undefined) {
    for (const state of (await statesAt(db, { position: since }, { types: slice.types })).values()) {
      const key = promotionKey(state.type, state.name);
      if (state.document && inSlice(key, state.document)) base.set(key, state.document);
    }
  }
  return { target, base };
}

/**
 * Promotes a source's state at a moment into a target store: per item create, update (with the patch),
 * delete, or a conflict where the target changed the item since the last promotion from this source.
 * Applied as ONE changeset in the target (source `promote`), whose target records the source, its
 * position and the slice, so the target's history says where each change came from and a second
 * promotion of the same position writes nothing. The plan is made inside the commit: a local write
 * racing it makes the append conflict, and the re-plan then shows that item as a conflict.
 */
export function promote(options: PromoteOptions): Promise<PromotionResult> {
  return atPublicBoundary(() => promoteNow(options));
}

async function promoteNow(options: PromoteOptions): Promise<PromotionResult> {
  const parsed = parseInput(PromoteOptionsSchema, options, 'promote options');
  const slice: PromotionSlice = { namespace: parsed.namespace, types: parsed.types ? [...new Set(parsed.types)].sort() : undefined };
  const at = typeof parsed.at === 'string' ? parseMomentText(parsed.at, 'at') : (parsed.at as MomentOrTag | undefined);
  let source: SourceState;
  if (isStore(parsed.from)) {
    const label = parsed.sourceName ?? storeLabel(parsed.from);
    const position = await sourcePosition(parsed.from, at);
    // promoted already: answer before reading the source's items (the commit below checks again)
    const last = await lastPromotion(parsed.to.db, promotionRecord(label, position, at, slice));
    if (last?.sourcePosition === position) return alreadyPromoted(label, position, at, parsed.dryRun ?? false);
    source = await readSourceStore(parsed.from, position, at, slice, label);
  } else if (at !== undefined)
    throw new ValidationError(
      [{ path: 'at', message: 'an export document holds one moment (its position): promote it whole' }],
      'invalid promote options',
    );
  else source = readSourceDocument(parsed.from, slice, parsed.sourceName);
  const record = promotionRecord(source.label, source.position, at, slice);
  const dryRun = parsed.dryRun ?? false;
  const to = internalsOf(parsed.to);
  const context = {
    actor: parsed.actor,
    reason: parsed.reason ?? `promote ${source.tag ? `tag ${source.tag}` : `position ${source.position}`} from ${source.label}`,
    correlationId: parsed.correlationId,
    source: 'promote',
    target: { promotion: record },
  };
  const { result, changesetId } = await to.commitChangeset(context, async (db) => {
    const last = await lastPromotion(db, record);
    if (last?.sourcePosition === source.position) return { result: { alreadyPromoted: true, steps: [] }, events: [] };
    const { target, base } = await readTarget(db, source, slice, last?.targetPosition);
    const unsettled = new Set(last?.skipped);
    const plan = planPromotion({ source: source.items, target, base, unsettled, onConflict: parsed.onConflict ?? 'refuse' });
    // the changeset's target is this record, read when the changeset is appended after planning
    record.skipped = plan.steps.filter((step) => step.resolution === 'skipped').map((step) => promotionKey(step.type, step.name));
    if (plan.refused.length > 0 && !dryRun) throw new PromotionConflictError(plan.refused);
    const events = dryRun
      ? []
      : plan.writes.map((write) => nextEvent(write.head, write.type, write.name, kindOf(write), write.document, to.snapshotPolicy));
    return { result: { alreadyPromoted: false, steps: plan.steps }, events };
  });
  if (result.alreadyPromoted) return alreadyPromoted(source.label, source.position, at, dryRun);
  return { source: source.label, position: source.position, ...(source.tag ? { tag: source.tag } : {}), dryRun, ...result, changesetId };
}
