import pg from 'pg';

/** The SQL statements a piece of work sent, per operation: a statement is a round trip to the server. */
export interface StatementProfile {
  perOp: number;
  /** Statement (first words) → how many times it ran per operation. */
  statements: Record<string, number>;
}

/** The statement's first words with literals blanked, so statements that inline their values group together. */
const label = (text: unknown): string =>
  String(text ?? '?')
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 60);

/**
 * Runs `work` while counting every query sent through node-postgres (metaledger, the baselines and
 * Emmett all use it), by wrapping `pg.Client#query` for the duration.
 */
export async function countStatements(operations: number, work: () => Promise<void>): Promise<StatementProfile> {
  const counts = new Map<string, number>();
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    const key = label(text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  const perOp = (count: number) => Math.round((count / Math.max(1, operations)) * 100) / 100;
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  return {
    perOp: perOp(total),
    statements: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([key, count]) => [key, perOp(count)])),
  };
}
