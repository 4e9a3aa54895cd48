import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, itemPath } from './api';

interface Preview {
  fromVersion: number;
  toVersion: number;
  changed: boolean;
  patch: { op: string; path: string; value?: unknown }[];
}

/** A rollback: the preview of what changes (a dry run, which also tells whether the principal may), then a confirmation. */
export function RollbackPanel({
  type,
  name,
  toVersion,
  onDone,
  onCancel,
}: {
  type: string;
  name: string;
  toVersion: number;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<number | null>(null);
  useEffect(() => {
    setPreview(null);
    setResult(null);
    setError(null);
    api<Preview>(`${itemPath(type, name)}/rollback`, { toVersion, dryRun: true }).then(setPreview, (caught: ApiError) =>
      setError(caught.problem.code === 'FORBIDDEN' ? `You may not roll this item back: ${caught.message}` : caught.message),
    );
  }, [type, name, toVersion]);
  const confirm = async () => {
    try {
      const done = await api<{ version: number }>(`${itemPath(type, name)}/rollback`, { toVersion, reason: reason || undefined });
      setResult(done.version);
      onDone();
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  };
  return (
    <section class="panel" aria-label="Rollback">
      <h3>Roll back to v{toVersion}</h3>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result !== null && (
        <p role="status" class="ok">
          Rolled back: the item is now version {result}.
        </p>
      )}
      {preview && result === null && (
        <>
          <p>
            From v{preview.fromVersion},{' '}
            {preview.changed ? 'these changes will be recorded as a new version:' : 'nothing changes: the item already matches.'}
          </p>
          <ul class="changed-paths" aria-label="Rollback preview">
            {preview.patch.map((op, i) => (
              <li key={i}>
                <span class={`op ${op.op}`}>{op.op}</span> <code>{op.path}</code>
              </li>
            ))}
          </ul>
          <label>
            Reason
            <input
              value={reason}
              onInput={(event) => setReason((event.target as HTMLInputElement).value)}
              placeholder="why (recorded with the change)"
            />
          </label>
          <div class="actions">
            <button type="button" class="danger" disabled={!preview.changed} onClick={confirm}>
              Confirm rollback
            </button>
            <button type="button" class="secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </>
      )}
    </section>
  );
}
