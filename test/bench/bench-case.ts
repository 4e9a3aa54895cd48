import type { BenchContext } from './bench-context.js';
import type { Stats } from './measure.js';

/** What the issue asks of a row: a minimum ratio to the baseline, or a minimum absolute rate. */
export interface Target {
  minRatio?: number;
  minOpsPerSec?: number;
}

export interface BenchRow {
  case: string;
  operation: string;
  result?: Stats;
  baseline?: Stats;
  /** result ops/s ÷ baseline ops/s. */
  ratio?: number;
  target?: Target;
  met?: boolean;
  /** Case-specific figures (retries per save, …). */
  extra?: Record<string, number | string>;
  /** Why the row has no figures (e.g. a competitor that does not install or run). */
  error?: string;
}

/** One file under cases/ default-exports one of these; the runner finds them by file name order. */
export interface BenchCase {
  name: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

export function benchRow(fields: Omit<BenchRow, 'ratio' | 'met'>): BenchRow {
  const { result, baseline, target } = fields;
  const ratio = result && baseline ? Math.round((result.opsPerSec / baseline.opsPerSec) * 100) / 100 : undefined;
  let met: boolean | undefined;
  if (target?.minRatio !== undefined && ratio !== undefined) met = ratio >= target.minRatio;
  if (target?.minOpsPerSec !== undefined && result) met = (met ?? true) && result.opsPerSec >= target.minOpsPerSec;
  return { ...fields, ratio, met };
}
