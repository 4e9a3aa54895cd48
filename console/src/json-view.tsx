// A JSON document pretty-printed line by line, each line knowing its JSON pointer, so changed paths
// can be highlighted in a diff.

interface Line {
  indent: number;
  text: string;
  pointer: string;
}

const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

function linesOf(value: unknown, pointer: string, indent: number, prefix: string, suffix: string, out: Line[]): void {
  if (value !== null && typeof value === 'object') {
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((child, i) => [String(i), child]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      out.push({ indent, text: `${prefix}${open}${close}${suffix}`, pointer });
      return;
    }
    out.push({ indent, text: `${prefix}${open}`, pointer });
    entries.forEach(([key, child], i) => {
      const label = Array.isArray(value) ? '' : `${JSON.stringify(key)}: `;
      linesOf(child, `${pointer}/${escapeToken(key)}`, indent + 1, label, i < entries.length - 1 ? ',' : '', out);
    });
    out.push({ indent, text: `${close}${suffix}`, pointer });
    return;
  }
  out.push({ indent, text: `${prefix}${JSON.stringify(value)}${suffix}`, pointer });
}

/** Whether a line at `pointer` is touched by a change at `path` (the path itself or anything below it). */
const touches = (pointer: string, path: string) => pointer === path || pointer.startsWith(`${path}/`);

export function JsonView({ value, changed = [], label }: { value: unknown; changed?: string[]; label: string }) {
  const lines: Line[] = [];
  if (value === null || value === undefined)
    return (
      <pre class="json empty" aria-label={label}>
        (no state)
      </pre>
    );
  linesOf(value, '', 0, '', '', lines);
  return (
    <pre class="json" aria-label={label}>
      {lines.map((line, i) => {
        const hit = changed.some((path) => touches(line.pointer, path));
        return (
          <div key={i} class={hit ? 'line changed' : 'line'} data-pointer={line.pointer}>
            {'  '.repeat(line.indent)}
            {line.text}
          </div>
        );
      })}
    </pre>
  );
}
