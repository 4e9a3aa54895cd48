import { describe, expect, it } from 'vitest';
import { explain, planWithoutIndexes } from '../../src/driver/query/query-statements.js';
import { expectBound, flat } from '../helpers/statement-shape.js';

describe('driver query statements', () => {
  it('switches the three index scan kinds off for the transaction only', () => {
    const settings = planWithoutIndexes();
    for (const setting of settings) expectBound(setting);
    expect(settings.map(flat)).toEqual([
      'SET LOCAL enable_indexscan = off',
      'SET LOCAL enable_bitmapscan = off',
      'SET LOCAL enable_indexonlyscan = off',
    ]);
  });

  it('explains a compiled query with its own values', () => {
    const plan = explain({ text: 'SELECT * FROM t WHERE a = $1', values: [3] });
    expectBound(plan);
    expect(plan.values).toEqual([3]);
    expect(plan.text).toBe('EXPLAIN SELECT * FROM t WHERE a = $1');
  });
});
