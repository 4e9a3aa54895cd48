import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '../../../test-output/faults/figures.jsonl');

/**
 * Records a measured figure (outage length, time to recover, errors by code, connections): printed, and
 * appended to test-output/faults/figures.jsonl so a run's figures can be read back in one place.
 */
export function recordFigure(name: string, values: Record<string, unknown>): void {
  const line = JSON.stringify({ name, ...values, at: new Date().toISOString() });
  console.log(`[figure] ${line}`);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${line}\n`);
}
