/** Left-aligned columns separated by two spaces; the header row is upper-cased. */
export function formatTable(headers: string[], rows: string[][]): string {
  const all = [headers.map((header) => header.toUpperCase()), ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `label  value` lines with the values aligned; undefined values are left out. */
export function formatFields(fields: [label: string, value: string | undefined][]): string {
  const present = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const width = Math.max(...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
