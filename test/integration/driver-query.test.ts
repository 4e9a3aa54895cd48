import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataDriver } from '../../src/driver/metadata-driver.js';
import { createTestDatabase } from '../helpers/test-store.js';
import { DriverFixtures, sqlOf } from './driver-fixtures.js';

let fixtures: DriverFixtures;
let driver: MetadataDriver;

const names = (records: { name?: string }[]) => records.map((record) => record.name);

beforeAll(async () => {
  fixtures = new DriverFixtures(await createTestDatabase('driver_query'));
  driver = await fixtures.shared();
  const save = (type: string, record: Record<string, unknown>) => driver.store.save(type, record as never, { actor: 'seed' });
  await save('object', {
    name: 'account',
    namespace: 'crm',
    metadata: { label: 'Account', priority: 5, tags: ['core', 'sales'], fields: { amount: { type: 'number', precision: 2 } } },
  });
  await save('object', { name: 'contact', namespace: 'crm', scope: 'system', metadata: { label: 'Contact', priority: 3, tags: ['core'] } });
  await save('object', {
    name: 'invoice',
    namespace: 'billing',
    state: 'draft',
    metadata: { label: 'Invoice', priority: 8, tags: ['finance'] },
  });
  await save('object', { name: 'lead', namespace: 'crm', owner: 'alice', metadata: { label: 'Lead', priority: 'high', note: null } });
  await save('view', { name: 'all_accounts', namespace: 'crm', metadata: { label: 'All accounts', priority: 1, object: 'account' } });
  await save('flow', { name: 'old_flow', namespace: 'crm', state: 'archived', metadata: { label: 'Old flow', priority: 2 } });
});
afterAll(() => fixtures.dispose());

describe('filters', () => {
  it('type, namespace, scope and state take a value or a list; owner a value', async () => {
    expect(names((await driver.query({ filters: { type: ['object', 'view'], namespace: 'crm' } })).records)).toEqual([
      'account',
      'contact',
      'lead',
      'all_accounts',
    ]);
    expect(names((await driver.query({ filters: { scope: 'system' } })).records)).toEqual(['contact']);
    expect(names((await driver.query({ filters: { state: ['draft', 'active'], namespace: ['billing'] } })).records)).toEqual(['invoice']);
    expect(names((await driver.query({ filters: { owner: 'alice' } })).records)).toEqual(['lead']);
    expect(names((await driver.query({ filters: { name: ['account', 'lead'] } })).records)).toEqual(['account', 'lead']);
  });

  it('hides archived items unless includeArchived or the state filter asks for them', async () => {
    expect(names((await driver.query({ filters: { namespace: 'crm' } })).records)).not.toContain('old_flow');
    expect(names((await driver.query({ filters: { namespace: 'crm' }, includeArchived: true })).records)).toContain('old_flow');
    expect(names((await driver.query({ filters: { state: 'archived' } })).records)).toEqual(['old_flow']);
  });

  it('custom conditions by path: plain values mean $eq, dotted and pointer paths reach nested keys', async () => {
    expect(names((await driver.query({ filters: { custom: { label: 'Account' } } })).records)).toEqual(['account']);
    expect(names((await driver.query({ filters: { custom: { 'fields.amount.type': 'number' } } })).records)).toEqual(['account']);
    expect(names((await driver.query({ filters: { custom: { '/fields/amount/precision': { $eq: 2 } } } })).records)).toEqual(['account']);
    expect(names((await driver.query({ filters: { custom: { note: null } } })).records)).toEqual(['lead']);
  });

  it('comparison operators compare numbers with numbers only', async () => {
    const query = (priority: object) => driver.query({ filters: { custom: { priority } }, includeArchived: true });
    expect(names((await query({ $gt: 3 })).records)).toEqual(['account', 'invoice']);
    expect(names((await query({ $gte: 3, $lt: 8 })).records)).toEqual(['account', 'contact']);
    expect(names((await query({ $lte: 2 })).records)).toEqual(['old_flow', 'all_accounts']);
    expect(names((await query({ $gt: 'a' })).records)).toEqual(['lead']);
    expect(names((await query({ $ne: 5 })).records)).toEqual(['old_flow', 'contact', 'invoice', 'lead', 'all_accounts']);
  });

  it('$in, $nin, $exists, $contains and $like', async () => {
    const query = (custom: Record<string, unknown>) => driver.query({ filters: { custom } as never }).then((r) => names(r.records));
    expect(await query({ priority: { $in: [1, 3, 'high'] } })).toEqual(['contact', 'lead', 'all_accounts']);
    expect(await query({ priority: { $in: [] } })).toEqual([]);
    expect(await query({ priority: { $nin: [1, 3, 'high'] } })).toEqual(['account', 'invoice']);
    expect(await query({ object: { $exists: true } })).toEqual(['all_accounts']);
    expect(await query({ object: { $exists: false }, namespace: { $exists: false }, tags: { $exists: true } })).toEqual([
      'account',
      'contact',
      'invoice',
    ]);
    expect(await query({ tags: { $contains: 'core' } })).toEqual(['account', 'contact']);
    expect(await query({ tags: { $contains: ['sales', 'core'] } })).toEqual(['account']);
    expect(await query({ fields: { $contains: { amount: { type: 'number' } } } })).toEqual(['account']);
    expect(await query({ label: { $contains: 'Lead' } })).toEqual(['lead']);
    expect(await query({ label: { $like: '%ccount%' } })).toEqual(['account', 'all_accounts']);
    expect(await query({ 'tags.0': 'core' })).toEqual(['account', 'contact']);
  });

  it('a value never becomes SQL, and a path with SQL in it is refused', async () => {
    const hostile = "x'; DROP TABLE _framework_metadata; --";
    expect(
      (await driver.query({ filters: { name: hostile, custom: { label: hostile, [`tags`]: { $like: hostile, $in: [hostile] } } } }))
        .records,
    ).toEqual([]);
    const error = await driver.query({ filters: { custom: { "label') OR 1=1 --": 'x' } } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    expect(error.issues[0].path).toContain('filters.custom');
    expect((await driver.query()).total).toBe(5);
  });
});

describe('sort, pagination, select', () => {
  it('sorts on several fields, envelope columns and metadata paths', async () => {
    const byPriority = await driver.query({ filters: { type: 'object' }, sort: [{ field: 'metadata.priority', order: 'desc' }] });
    // jsonb orders strings before numbers
    expect(names(byPriority.records)).toEqual(['invoice', 'account', 'contact', 'lead']);
    const byNamespace = await driver.query({
      sort: [
        { field: 'namespace', order: 'asc' },
        { field: 'name', order: 'desc' },
      ],
    });
    expect(names(byNamespace.records)).toEqual(['invoice', 'lead', 'contact', 'all_accounts', 'account']);
    const byAudit = (await driver.query({ sort: [{ field: 'createdAt', order: 'desc' }] })).records.map((r) => r.createdAt!);
    expect(byAudit).toEqual([...byAudit].sort().reverse());
    expect(byAudit[0] > byAudit[4]).toBe(true);
  });

  it('pages with the total count, and a page past the end still counts', async () => {
    const first = await driver.query({ pagination: { page: 1, pageSize: 2 } });
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2, hasMore: true });
    const third = await driver.query({ pagination: { page: 3, pageSize: 2 } });
    expect(third).toMatchObject({ total: 5, hasMore: false });
    expect(names([...first.records, ...(await driver.query({ pagination: { page: 2, pageSize: 2 } })).records, ...third.records])).toEqual([
      'account',
      'contact',
      'invoice',
      'lead',
      'all_accounts',
    ]);
    expect(await driver.query({ pagination: { page: 9, pageSize: 2 } })).toMatchObject({ records: [], total: 5, hasMore: false });
  });

  it('select returns only the fields asked for, metadata paths nested as in the record', async () => {
    const { records } = await driver.query({
      filters: { name: 'account' },
      select: ['name', 'version', 'metadata.fields.amount.type', 'metadata.label'],
    });
    expect(records).toEqual([{ name: 'account', version: 1, metadata: { fields: { amount: { type: 'number' } }, label: 'Account' } }]);
    const whole = await driver.query({ filters: { name: 'contact' }, select: ['id', 'metadata'] });
    expect(Object.keys(whole.records[0]).sort()).toEqual(['id', 'metadata']);
  });

  it('refuses an unknown operator, an unknown sort field, page 0 and pageSize 1001 with the issues named', async () => {
    const cases: [object, string][] = [
      [{ filters: { custom: { priority: { $regex: '.*' } } } }, 'filters.custom.priority.$regex'],
      [{ sort: [{ field: 'color', order: 'asc' }] }, 'sort.0.field'],
      [{ sort: [{ field: 'name; DROP TABLE x', order: 'asc' }] }, 'sort.0.field'],
      [{ pagination: { page: 0, pageSize: 10 } }, 'pagination.page'],
      [{ pagination: { page: 1, pageSize: 1001 } }, 'pagination.pageSize'],
      [{ select: ['password'] }, 'select.0'],
      [{ filters: { type: [] } }, 'filters.type'],
    ];
    for (const [options, path] of cases) {
      const error = await driver.query(options as never).catch((e) => e);
      expect(error, JSON.stringify(options)).toMatchObject({ code: 'VALIDATION' });
      expect(error.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    }
  });
});

describe('query settings of the driver config', () => {
  it('defaultPageSize pages a query that does not ask for pagination', async () => {
    const paged = new MetadataDriver(driver.store, { query: { defaultPageSize: 2 } });
    expect(await paged.query()).toMatchObject({ total: 5, page: 1, pageSize: 2, hasMore: true });
    expect((await paged.query()).records).toHaveLength(2);
  });

  it('maxResultSize caps every result; asking for more is an error, not a silent cut', async () => {
    const capped = new MetadataDriver(driver.store, { query: { maxResultSize: 3 } });
    expect((await capped.query()).records).toHaveLength(3);
    await expect(capped.query({ pagination: { page: 1, pageSize: 4 } })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(capped.query({ limit: 4 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(capped.list('object')).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('maxResultSize') });
    expect(names(await capped.list('object', { limit: 2 }))).toEqual(['account', 'contact']);
  });

  it('enablePagination: false returns everything up to maxResultSize and refuses pagination', async () => {
    const unpaged = new MetadataDriver(driver.store, { query: { enablePagination: false, defaultPageSize: 2 } });
    const result = await unpaged.query();
    expect(result.records).toHaveLength(5);
    expect(result.page).toBeUndefined();
    await expect(unpaged.query({ pagination: { page: 1, pageSize: 2 } })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('enablePagination'),
    });
  });
});

describe('load and list', () => {
  it('load without filters is the cached load; with filters the item must match them too', async () => {
    await driver.load('object', 'account');
    expect((await driver.load('object', 'account')).fromCache).toBe(true);
    const matching = await driver.load('object', 'account', { filters: { namespace: 'crm', custom: { priority: { $gt: 4 } } } });
    expect(matching.data).toMatchObject({ name: 'account', version: 1, metadata: { label: 'Account' } });
    expect(matching.etag).toBe('"v1"');
    expect((await driver.load('object', 'account', { filters: { custom: { priority: { $gt: 5 } } } })).data).toBeNull();
    expect((await driver.load('object', 'account', { filters: { type: 'view' } })).data).toBeNull();
    expect((await driver.load('object', 'account', { namespace: 'billing', filters: { state: 'active' } })).data).toBeNull();
    expect((await driver.load('object', 'account', { filters: { state: 'active' }, ifNoneMatch: '"v1"' })).notModified).toBe(true);
    expect((await driver.load('flow', 'old_flow', { filters: { namespace: 'crm' } })).data?.state).toBe('archived');
  });

  it('list honours filters, namespace, scope, sort and limit', async () => {
    expect(names(await driver.list('object', { namespace: 'crm', sort: { field: 'name', order: 'desc' } }))).toEqual([
      'lead',
      'contact',
      'account',
    ]);
    expect(names(await driver.list('object', { scope: 'system' }))).toEqual(['contact']);
    expect(names(await driver.list('object', { filters: { custom: { tags: { $contains: 'core' } } }, limit: 1 }))).toEqual(['account']);
    expect(names(await driver.list('object', { sort: [{ field: 'metadata.label', order: 'desc' }], limit: 2 }))).toEqual([
      'lead',
      'invoice',
    ]);
    expect(await driver.list('object', { namespace: 'crm', filters: { namespace: 'billing' } })).toEqual([]);
  });

  it('loadTypes returns each type listed', async () => {
    const loaded = await driver.loadTypes(['object', 'view']);
    expect(Object.keys(loaded)).toEqual(['object', 'view']);
    expect(names(loaded.view)).toEqual(['all_accounts']);
    expect(loaded.object).toHaveLength(4);
  });

  it('reads what the projection holds', async () => {
    const [row] = await sqlOf<{ n: number }>(driver, 'SELECT count(*)::int AS n FROM _framework_metadata');
    expect(row.n).toBe(6);
  });
});
