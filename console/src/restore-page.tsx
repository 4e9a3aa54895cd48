import { useState } from 'preact/hooks';
import { api, ApiError } from './api';

interface Plan {
  moment: string;
  dryRun: boolean;
  steps: { type: string; name: string; action: string; fromVersion: number; patch: { path: string }[] }[];
  changesetId?: string;
}

/** Restore a namespace (or everything) to a moment: preview the plan, then confirm. */
export function RestorePage() {
  const [namespace, setNamespace] = useState('');
  const [moment, setMoment] = useState('');
  const [reason, setReason] = useState('');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [done, setDone] = useState<Plan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const body = (dryRun: boolean) => ({
    asOf: new Date(moment).toISOString(),
    namespace: namespace || undefined,
    dryRun,
    reason: reason || undefined,
  });
  const explain = (caught: unknown) => {
    const problem = (caught as ApiError).problem;
    setError(problem?.code === 'FORBIDDEN' ? `You may not make this restore: ${problem.detail}` : (caught as Error).message);
  };
  const preview = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      setPlan(await api<Plan>('/restore', body(true)));
    } catch (caught) {
      setPlan(null);
      explain(caught);
    }
  };
  const confirm = async () => {
    try {
      setDone(await api<Plan>('/restore', body(false)));
      setPlan(null);
    } catch (caught) {
      explain(caught);
    }
  };
  return (
    <div class="restore">
      <form class="filters" onSubmit={preview}>
        <label>
          Namespace
          <input
            value={namespace}
            placeholder="every namespace"
            onInput={(event) => setNamespace((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Back to
          <input
            type="datetime-local"
            step="1"
            required
            value={moment}
            onInput={(event) => setMoment((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Reason
          <input value={reason} onInput={(event) => setReason((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Preview restore</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {plan && (
        <section class="panel" aria-label="Restore plan">
          <h3>
            Plan: back to {plan.moment} ({plan.steps.length} item{plan.steps.length === 1 ? '' : 's'})
          </h3>
          <table>
            <tbody>
              {plan.steps.map((step) => (
                <tr key={`${step.type}/${step.name}`}>
                  <td>{step.action}</td>
                  <td>
                    {step.type}/{step.name}
                  </td>
                  <td>from v{step.fromVersion}</td>
                  <td>{step.patch.map((op) => op.path).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" class="danger" disabled={plan.steps.length === 0} onClick={confirm}>
            Confirm restore
          </button>
        </section>
      )}
      {done && (
        <p role="status" class="ok">
          Restored {done.steps.length} item(s) in changeset {done.changesetId ?? '(nothing changed)'}.
        </p>
      )}
    </div>
  );
}
