import { recordColumnsSql } from '../../table/table-sql.js';
import type { FrameworkMetadataField, FrameworkMetadataTable } from '../../table/framework-metadata-table.js';
import { ValidationError } from '../../errors.js';
import type {
  StrictMetadataQueryFilters as MetadataQueryFilters,
  StrictMetadataQueryOptions as MetadataQueryOptions,
  StrictMetadataSort as MetadataSort,
} from '../../protocol/index.js';
import { compileCustomCondition } from './custom-filter.js';
import { pathSegments } from './json-path.js';
import { SqlParameters } from './sql-parameters.js';

/** MetadataDriverConfig.query: how many rows a query may return and how it pages by default. */
export interface QueryLimits {
  maxResultSize: number;
  enablePagination: boolean;
  defaultPageSize: number;
}

/** Which slice of the matching rows a query returns. */
export interface ResultWindow {
  limit: number;
  offset: number;
  /** Set when the result is a page. */
  page?: number;
  pageSize?: number;
}

export interface CompiledQuery {
  text: string;
  values: unknown[];
  window: ResultWindow;
}

const METADATA_PREFIX = 'metadata.';

function refuse(path: string, message: string): never {
  throw new ValidationError([{ path, message }], 'invalid query');
}

/** Pagination, limit and the driver's limits decide the window; asking for more than allowed is an error, not a silent cut. */
export function resultWindow(options: MetadataQueryOptions, limits: QueryLimits): ResultWindow {
  const { pagination, limit } = options;
  if (pagination && limit !== undefined) refuse('limit', 'give either pagination or limit, not both');
  if (pagination) {
    if (!limits.enablePagination) refuse('pagination', 'pagination is disabled by the driver (query.enablePagination: false)');
    if (pagination.pageSize > limits.maxResultSize)
      refuse('pagination.pageSize', `${pagination.pageSize} exceeds the driver's query.maxResultSize of ${limits.maxResultSize}`);
    return {
      limit: pagination.pageSize,
      offset: (pagination.page - 1) * pagination.pageSize,
      page: pagination.page,
      pageSize: pagination.pageSize,
    };
  }
  if (limit !== undefined) {
    if (limit > limits.maxResultSize) refuse('limit', `${limit} exceeds the driver's query.maxResultSize of ${limits.maxResultSize}`);
    return { limit, offset: 0 };
  }
  if (limits.enablePagination) {
    const pageSize = Math.min(limits.defaultPageSize, limits.maxResultSize);
    return { limit: pageSize, offset: 0, page: 1, pageSize };
  }
  return { limit: limits.maxResultSize, offset: 0 };
}

function envelopeCondition(column: string, value: string | string[], params: SqlParameters): string {
  return Array.isArray(value) ? `p.${column} = ANY(${params.add(value, 'text[]')})` : `p.${column} = ${params.add(value)}`;
}

function whereClause(
  table: FrameworkMetadataTable,
  filters: MetadataQueryFilters,
  includeArchived: boolean,
  params: SqlParameters,
): string {
  const c = table.columns;
  const conditions: string[] = [];
  for (const field of ['type', 'name', 'namespace', 'scope', 'state'] as const) {
    const value = filters[field];
    if (value !== undefined) conditions.push(envelopeCondition(c[field], value, params));
  }
  if (filters.owner !== undefined) conditions.push(`p.${c.owner} = ${params.add(filters.owner)}`);
  // archived rows stay hidden unless asked for, either by includeArchived or by naming the state
  const namesArchived = [filters.state].flat().includes('archived');
  if (!includeArchived && !namesArchived) conditions.push(`p.${c.state} <> ${params.add('archived')}`);
  for (const [path, operators] of Object.entries(filters.custom ?? {})) {
    conditions.push(...compileCustomCondition(`p.${c.metadata}`, path, operators, params));
  }
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}

/** An envelope field's column, or the JSON value at a metadata path. */
function fieldExpression(table: FrameworkMetadataTable, field: string, params: SqlParameters, where: string): string {
  if (field.startsWith(METADATA_PREFIX)) {
    return `(p.${table.columns.metadata} #> ${params.add(pathSegments(field.slice(METADATA_PREFIX.length), where), 'text[]')})`;
  }
  return `p.${table.columns[field as FrameworkMetadataField]}`;
}

function orderByClause(table: FrameworkMetadataTable, sort: MetadataSort[] = [], params: SqlParameters): string {
  const keys = sort.map(
    ({ field, order }, i) => `${fieldExpression(table, field, params, `sort.${i}.field`)} ${order === 'desc' ? 'DESC' : 'ASC'}`,
  );
  // (type, name) is unique: pages never overlap or skip rows, whatever the requested order
  return [...keys, `p.${table.columns.type}`, `p.${table.columns.name}`].join(', ');
}

function selectList(table: FrameworkMetadataTable, select: string[] | undefined, params: SqlParameters): string {
  if (!select || select.length === 0) return recordColumnsSql(table);
  // a selected field is a validated envelope name or metadata path (letters, digits, _ - .), safe as an alias
  return [...new Set(select)]
    .map(
      (field, i) =>
        `${field === 'metadata' ? `p.${table.columns.metadata}` : fieldExpression(table, field, params, `select.${i}`)} AS "${field}"`,
    )
    .join(', ');
}

/**
 * The page statement: the selected fields of the matching rows in order, with the number of all matching
 * rows alongside (a window count, so one round trip answers both).
 */
export function compileQuery(table: FrameworkMetadataTable, options: MetadataQueryOptions, limits: QueryLimits): CompiledQuery {
  const window = resultWindow(options, limits);
  const params = new SqlParameters();
  const columns = selectList(table, options.select, params);
  const where = whereClause(table, options.filters, options.includeArchived, params);
  const orderBy = orderByClause(table, options.sort, params);
  const text = `SELECT ${columns}, count(*) OVER () AS "__total" FROM ${table.qualifiedName} p
WHERE ${where}
ORDER BY ${orderBy}
LIMIT ${params.add(window.limit, 'bigint')} OFFSET ${params.add(window.offset, 'bigint')}`;
  return { text, values: params.values, window };
}

/** The number of matching rows, for a page past the end (the window count then has no row to ride on). */
export function compileCount(table: FrameworkMetadataTable, options: MetadataQueryOptions): { text: string; values: unknown[] } {
  const params = new SqlParameters();
  const where = whereClause(table, options.filters, options.includeArchived, params);
  return { text: `SELECT count(*)::int AS total FROM ${table.qualifiedName} p WHERE ${where}`, values: params.values };
}
