import type {
  MetadataRecord,
  StrictMetadataLoadOptions as MetadataLoadOptions,
  StrictMetadataSort as MetadataSort,
} from '../protocol/index.js';
import { matchesCustomCondition } from './match-custom-filter.js';

const asList = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** The load options that pick items (scope, namespace, filters) in memory. */
export function matchesLoadOptions(record: MetadataRecord, options: Pick<MetadataLoadOptions, 'scope' | 'namespace' | 'filters'>): boolean {
  if (options.scope !== undefined && record.scope !== options.scope) return false;
  if (options.namespace !== undefined && record.namespace !== options.namespace) return false;
  const filters = options.filters ?? {};
  for (const field of ['type', 'name', 'namespace', 'scope', 'state'] as const) {
    const allowed = asList<string>(filters[field]);
    if (allowed && !allowed.includes(record[field])) return false;
  }
  if (filters.owner !== undefined && record.owner !== filters.owner) return false;
  return Object.entries(filters.custom ?? {}).every(([path, operators]) => matchesCustomCondition(record.metadata, path, operators));
}

function fieldValue(record: MetadataRecord, field: string): unknown {
  if (!field.startsWith('metadata.')) return (record as Record<string, unknown>)[field];
  return field
    .split('.')
    .slice(1)
    .reduce<unknown>(
      (value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined),
      record.metadata,
    );
}

/** Absent values sort last, as NULLs do in PostgreSQL's ascending order. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [left, right] = [typeof a === 'string' ? a : JSON.stringify(a), typeof b === 'string' ? b : JSON.stringify(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Filters, sorts (by the given fields, then by name) and limits a list the way load options ask. */
export function shapeRecords(
  records: MetadataRecord[],
  options: Pick<MetadataLoadOptions, 'scope' | 'namespace' | 'filters' | 'sort' | 'limit'>,
): MetadataRecord[] {
  const sort: MetadataSort[] = [...(asList(options.sort) ?? []), { field: 'name', order: 'asc' }];
  const shaped = records
    .filter((record) => matchesLoadOptions(record, options))
    .sort((a, b) => {
      for (const { field, order } of sort) {
        const difference = compareValues(fieldValue(a, field), fieldValue(b, field));
        if (difference !== 0) return order === 'desc' ? -difference : difference;
      }
      return 0;
    });
  return options.limit === undefined ? shaped : shaped.slice(0, options.limit);
}
