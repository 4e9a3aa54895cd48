import { useState } from 'preact/hooks';
import { api, ApiError, session, type Principal } from './api';

/** Sign-in with an API key or a JWT: the server checks it (/me); the console keeps it for this tab only. */
export function SignIn({ onSignedIn }: { onSignedIn: (principal: Principal) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    session.token = token.trim();
    try {
      const principal = await api<Principal>('/me');
      if (!principal.authenticated) throw new Error('that is not a key or token this server knows');
      onSignedIn(principal);
    } catch (caught) {
      session.token = null;
      setError(caught instanceof ApiError ? caught.problem.detail : (caught as Error).message);
    }
  };
  return (
    <form class="sign-in" onSubmit={submit}>
      <h1>metaledger audit console</h1>
      <p>
        Sign in with an API key (from <code>metaledger serve --new-key</code>) or a token from your identity provider.
      </p>
      <label>
        API key or token
        <input
          type="password"
          value={token}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
          autocomplete="off"
          required
        />
      </label>
      <button type="submit">Sign in</button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
