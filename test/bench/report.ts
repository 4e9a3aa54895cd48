import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchRow, Target } from './bench-case.js';

const rate = (value?: number) => (value === undefined ? '—' : value.toLocaleString('en-US'));
const ms = (value?: number) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(value < 1 ? 3 : 2));

function describeTarget(target?: Target): string {
  if (!target) return '—';
  if (target.minRatio !== undefined) return `≥ ${target.minRatio}×`;
  return `≥ ${rate(target.minOpsPerSec)}/s`;
}

function verdict(row: BenchRow): string {
  if (row.error) return 'error';
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

const roundTrips = (row: BenchRow) => {
  if (!row.result) return '—';
  return row.baseline ? `${row.result.roundTrips.perOp} / ${row.baseline.roundTrips.perOp}` : `${row.result.roundTrips.perOp}`;
};

const extras = (row: BenchRow) =>
  row.error
    ? row.error.split('\n')[0].slice(0, 100)
    : Object.entries(row.extra ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');

/** The rows as a Markdown table: readable in a terminal and pasteable into the README. */
export function formatTable(rows: BenchRow[]): string {
  const header = ['operation', 'ops/s', 'p50 ms', 'p99 ms', 'baseline', 'baseline ops/s', 'ratio', 'target', '', 'round trips', 'notes'];
  const lines = rows.map((row) => [
    row.operation,
    rate(row.result?.opsPerSec),
    ms(row.result?.p50Ms),
    ms(row.result?.p99Ms),
    row.baseline?.name ?? '—',
    rate(row.baseline?.opsPerSec),
    row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`,
    describeTarget(row.target),
    verdict(row),
    roundTrips(row),
    extras(row),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(format)].join('\n');
}

export function writeJson(file: string, report: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
