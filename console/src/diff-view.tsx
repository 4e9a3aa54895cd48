import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, itemPath } from './api';
import { JsonView } from './json-view';

interface Diff {
  from: { version: number; document: unknown };
  to: { version: number; document: unknown };
  patch: { op: string; path: string; value?: unknown }[];
  summary: string;
}

/** Two versions side by side (or inline as a patch), the changed paths highlighted on both sides. */
export function DiffView({ type, name, from, to }: { type: string; name: string; from: number; to: number }) {
  const [diff, setDiff] = useState<Diff | null>(null);
  const [inline, setInline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Diff>(`${itemPath(type, name)}/diff?from=${from}&to=${to}`).then(setDiff, (caught: ApiError) => setError(caught.message));
  }, [type, name, from, to]);
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!diff) return <p class="loading">Loading the diff…</p>;
  const paths = diff.patch.map((op) => op.path);
  return (
    <section class="diff" aria-label={`Diff v${from} → v${to}`}>
      <h3>
        v{from} → v{to}
        <label class="toggle">
          <input type="checkbox" checked={inline} onChange={() => setInline(!inline)} /> inline
        </label>
      </h3>
      <ul class="changed-paths" aria-label="Changed paths">
        {diff.patch.length === 0 && <li>no differences</li>}
        {diff.patch.map((op, i) => (
          <li key={i}>
            <span class={`op ${op.op}`}>{op.op}</span> <code>{op.path}</code>
            {'value' in op && <code class="value"> = {JSON.stringify(op.value)}</code>}
          </li>
        ))}
      </ul>
      {inline ? (
        <JsonView value={diff.to.document} changed={paths} label={`Version ${to}`} />
      ) : (
        <div class="side-by-side">
          <div>
            <h4>v{from}</h4>
            <JsonView value={diff.from.document} changed={paths} label={`Version ${from}`} />
          </div>
          <div>
            <h4>v{to}</h4>
            <JsonView value={diff.to.document} changed={paths} label={`Version ${to}`} />
          </div>
        </div>
      )}
    </section>
  );
}
