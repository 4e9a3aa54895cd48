import { describe, expect, it } from 'vitest';
import { recordRefusal, refusalsPage } from '../../src/service/service-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

describe('refusal log statements', () => {
  it('records a refusal with every column bound, absent fields as null', () => {
    const record = recordRefusal({ roles: ['viewer'], operation: 'update', type: 'object', name: 'a', reason: 'read-only', source: 'api' });
    expectBound(record);
    expect(record.values).toEqual([null, ['viewer'], 'update', 'object', 'a', null, null, 'read-only', 'api', null]);
    expect(flat(record)).toBe(
      'INSERT INTO metadata_access_refusals (principal, roles, operation, type, name, scope, owner, reason, source, correlation_id) VALUES ($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10)',
    );
  });

  it('reads a page from the start, 100 at most, when given no filter', () => {
    const page = refusalsPage();
    expectBound(page);
    expect(page.values).toEqual([null, null, 0, 100]);
    expect(flat(page)).toContain(
      'WHERE ($1::text IS NULL OR principal = $1) AND ($2::timestamptz IS NULL OR refused_at >= $2) AND id > $3',
    );
    expect(flat(page)).toMatch(/ORDER BY id LIMIT \$4$/);
  });

  it('binds each filter in its place, a since text as a date, with the same text as no filter', () => {
    const page = refusalsPage({ principal: 'alice', since: '2026-01-01T00:00:00Z', after: 7, limit: 5 });
    expect(page.text).toBe(refusalsPage().text);
    expect(page.values).toEqual(['alice', new Date('2026-01-01T00:00:00Z'), 7, 5]);
  });
});
