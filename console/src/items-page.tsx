import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, q } from './api';

interface Item {
  type: string;
  name: string;
  namespace: string;
  scope: string;
  state: string;
  version?: number;
  owner?: string;
}

const select = (setter: (value: string) => void) => (event: Event) => setter((event.target as HTMLSelectElement).value);

/** Types with their counts, and the items of one type: searched by name, filtered by namespace, scope and state. */
export function ItemsPage() {
  const [types, setTypes] = useState<{ type: string; count: number }[]>([]);
  const [type, setType] = useState<string | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [search, setSearch] = useState('');
  const [namespace, setNamespace] = useState('');
  const [scope, setScope] = useState('');
  const [state, setState] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ types: { type: string; count: number }[] }>('/types').then(
      ({ types: found }) => {
        setTypes(found);
        if (found.length > 0) setType((current) => current ?? found[0].type);
      },
      (caught: ApiError) => setError(caught.message),
    );
  }, []);

  useEffect(() => {
    if (!type) return;
    api<{ items: Item[] }>(`/records/${encodeURIComponent(type)}${q({ scope, state })}`).then(
      ({ items: found }) => setItems(found),
      (caught: ApiError) => setError(caught.message),
    );
  }, [type, scope, state]);

  const namespaces = [...new Set(items.map((item) => item.namespace))].sort();
  const shown = items.filter(
    (item) => item.name.toLowerCase().includes(search.toLowerCase()) && (!namespace || item.namespace === namespace),
  );

  return (
    <div class="items">
      <aside>
        <h2>Types</h2>
        <ul class="types">
          {types.map((entry) => (
            <li key={entry.type}>
              <button
                type="button"
                class={entry.type === type ? 'selected' : ''}
                aria-pressed={entry.type === type}
                onClick={() => setType(entry.type)}
              >
                {entry.type} <span class="count">{entry.count}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section>
        <div class="filters" role="search">
          <label>
            Search by name
            <input type="search" value={search} onInput={(event) => setSearch((event.target as HTMLInputElement).value)} />
          </label>
          <label>
            Namespace
            <select value={namespace} onChange={select(setNamespace)}>
              <option value="">any</option>
              {namespaces.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </label>
          <label>
            Scope
            <select value={scope} onChange={select(setScope)}>
              <option value="">any</option>
              <option>system</option>
              <option>platform</option>
              <option>user</option>
            </select>
          </label>
          <label>
            State
            <select value={state} onChange={select(setState)}>
              <option value="">any</option>
              <option>draft</option>
              <option>active</option>
              <option>deprecated</option>
              <option>archived</option>
            </select>
          </label>
        </div>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <table>
          <thead>
            <tr>
              <th>Item</th>
              <th>Namespace</th>
              <th>Scope</th>
              <th>State</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <tr key={item.name}>
                <td>
                  <a href={`#/item/${encodeURIComponent(item.type)}/${encodeURIComponent(item.name)}`}>
                    {item.type}/{item.name}
                  </a>
                </td>
                <td>{item.namespace}</td>
                <td>
                  {item.scope}
                  {item.owner ? ` (${item.owner})` : ''}
                </td>
                <td>{item.state}</td>
                <td>{item.version ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {type && shown.length === 0 && !error && <p class="muted">No items match.</p>}
      </section>
    </div>
  );
}
