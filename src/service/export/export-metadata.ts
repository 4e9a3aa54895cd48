import { join, resolve } from 'node:path';
import { runStatement } from '../../datasource/statement.js';
import { lastEventPosition } from '../../events/statements.js';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { StrictMetadataExportOptionsSchema, type StrictMetadataExportOptionsInput } from '../../protocol/index.js';
import { anonymous, checkPrincipal, type Principal } from '../principal.js';
import { atPublicBoundary } from '../../input/public-boundary.js';
import { internalsOf, type MetadataStore } from '../../store/metadata-store.js';
import { parseInput } from '../../input/parse-input.js';
import { writeFileAtomic } from '../../loaders/file/atomic-write.js';
import { checkSegment } from '../../loaders/file/item-path.js';
import { silentProgress, type ProgressReporter } from '../../loaders/progress.js';
import { orderRecord, serializeRecord, serializeValue } from '../../loaders/record-file.js';
import { exportTarget } from './export-target.js';
import { readExportItems, readExportItemsAt, type ExportItem, type ExportSelection } from './read-export-items.js';
import { parseMomentText, positionOfMoment, type MomentOrTag } from '../../change/releases/tag-moment.js';
import { isPlainObject } from '../../protocol/json.js';

/** The protocol's export options and metaledger's (StrictMetadataExportOptionsSchema): includeHistory, who reads, progress. */
export interface ExportOptions extends StrictMetadataExportOptionsInput {
  /**
   * Export only what this principal may read. Absent, the call is anonymous and exports shared items
   * only; a backup names trusted code explicitly: `principal: operatorPrincipal()`.
   */
  principal?: Principal;
  /** Reports items written (silent by default). */
  progress?: ProgressReporter;
  /**
   * Export the items as they were at a moment instead of now: `{ position }`, `{ asOf }`, `{ tag }`, or their
   * text (`tag:v1.2`, `1042`, an ISO date-time). Histories, when included, end there.
   */
  at?: MomentOrTag | string;
}

/** What an export wrote: where, in which format, how many items, and the log position it reflects. */
export interface ExportReport {
  output: string;
  kind: 'file' | 'directory';
  format: 'json' | 'yaml';
  items: number;
  includeHistory: boolean;
  /** The log position the export reflects (null: the log is empty). */
  position: number | null;
}

/** The bundle format: `{ format, version, exportedAt, position, items }`; import also takes a bare array. */
export const bundleFormat = 'metaledger-export';

function directoryIssues(items: ExportItem[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const { record } of items) {
    for (const part of ['type', 'name'] as const) {
      try {
        checkSegment(record[part], part);
      } catch (error) {
        issues.push({ path: `${record.type}/${record.name}`, message: (error as ValidationError).issues[0].message });
      }
    }
  }
  return issues;
}

/** What an export holds: the items of the selection and the log position they reflect. */
export interface ExportSnapshot {
  items: ExportItem[];
  position: number | null;
}

/**
 * The items of a selection, read from one consistent snapshot of the store, whatever is written meanwhile:
 * as they are now, or as they were at the moment `at`.
 */
export async function readExportSnapshot(
  store: MetadataStore,
  selection: ExportSelection,
  onItem: () => void = () => {},
  at?: MomentOrTag,
): Promise<ExportSnapshot> {
  // The type definitions are loaded before the transaction: on PGlite (one connection) a load from inside
  // it would wait for the connection the transaction holds.
  const { currentShape } = internalsOf(store);
  await currentShape([]);
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const [last] = await runStatement(trx, lastEventPosition());
      const head = last?.position === null ? null : Number(last.position);
      if (at === undefined) return { items: await readExportItems(trx, selection, onItem, currentShape), position: head };
      const position = await positionOfMoment(trx, at, 'at');
      if (position > (head ?? 0))
        throw new ValidationError(
          [{ path: 'at', message: `position ${position} is past the end of the log (${head ?? 0})` }],
          'invalid moment',
        );
      return { items: await readExportItemsAt(trx, position, selection, onItem, currentShape), position };
    });
}

/** The export's moment as given: its text parsed, an object checked when it is resolved. */
function momentOf(at: unknown): MomentOrTag | undefined {
  if (at === undefined) return undefined;
  if (typeof at === 'string') return parseMomentText(at, 'at');
  if (isPlainObject(at)) return at as MomentOrTag;
  throw new ValidationError(
    [{ path: 'at', message: 'must be a moment ({ position }, { asOf }, { tag }) or its text' }],
    'invalid export options',
  );
}

/** The bundle a single-file export writes (and import reads back). */
export function exportBundle(items: ExportItem[], position: number | null) {
  return {
    format: bundleFormat,
    version: 1,
    exportedAt: new Date().toISOString(),
    position,
    items: items.map(({ record, history }) => orderRecord(record, history ? { history } : {})),
  };
}

/**
 * Writes every item (or some types / namespaces) with its envelope, and optionally its history, to one
 * JSON / YAML bundle or a directory of `<type>/<name>` files. The items come from one consistent
 * snapshot of the store, whatever is written meanwhile.
 */
export function exportMetadata(store: MetadataStore, options: ExportOptions): Promise<ExportReport> {
  return atPublicBoundary(() => exportFrom(store, options));
}

async function exportFrom(store: MetadataStore, options: ExportOptions): Promise<ExportReport> {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError([{ path: '(root)', message: 'export options must be an object' }], 'invalid export options');
  const { principal: given, progress = silentProgress, format: requestedFormat, at, ...rest } = options;
  const principal = given === undefined ? anonymous : checkPrincipal(given);
  const parsed = parseInput(StrictMetadataExportOptionsSchema, { ...rest, format: requestedFormat }, 'export options');
  const includeHistory = parsed.includeHistory ?? false;
  // the format defaults to the output file's extension, so only a format given is held against it
  const target = exportTarget(parsed.output, requestedFormat === undefined ? undefined : (parsed.format as 'json' | 'yaml' | 'yml'));
  const output = resolve(parsed.output);
  progress.start('reading items');
  const { items, position } = await readExportSnapshot(
    store,
    { types: parsed.types, namespaces: parsed.namespaces, includeHistory, principal },
    () => progress.tick(),
    momentOf(at),
  );
  progress.done();
  if (target.kind === 'file') {
    await writeFileAtomic(output, serializeValue(exportBundle(items, position), target.format));
  } else {
    const issues = directoryIssues(items);
    if (issues.length > 0) throw new ValidationError(issues, 'items that cannot be files (export to a single file instead)');
    progress.start('writing files', items.length);
    for (const { record, history } of items) {
      await writeFileAtomic(
        join(output, record.type, `${record.name}${target.extension}`),
        serializeRecord(record, target.format, history ? { history } : {}),
      );
      progress.tick();
    }
    progress.done();
  }
  return { output, kind: target.kind, format: target.format, items: items.length, includeHistory, position };
}
