import type { StrictMetadataQueryFilters as MetadataQueryFilters } from '../../protocol/index.js';

type EnvelopeFilter = 'type' | 'name' | 'namespace' | 'scope';

/**
 * Narrows a filter by a value the call fixes (load's type and name, the namespace / scope options):
 * null when they cannot both hold, so nothing can match.
 */
function narrow(filter: string | string[] | undefined, value: string | undefined): string | string[] | undefined | null {
  if (value === undefined) return filter;
  if (filter === undefined || [filter].flat().includes(value)) return value;
  return null;
}

export function narrowFilters(filters: MetadataQueryFilters, fixed: Partial<Record<EnvelopeFilter, string>>): MetadataQueryFilters | null {
  const narrowed: MetadataQueryFilters = { ...filters };
  for (const [field, value] of Object.entries(fixed) as [EnvelopeFilter, string | undefined][]) {
    const result = narrow(filters[field], value);
    if (result === null) return null;
    (narrowed as Record<string, unknown>)[field] = result;
  }
  return narrowed;
}
