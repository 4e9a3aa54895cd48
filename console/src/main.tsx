import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session, type Principal } from './api';
import { FeedPage } from './feed-page';
import { ItemPage } from './item-page';
import { ItemsPage } from './items-page';
import { RestorePage } from './restore-page';
import { SignIn } from './sign-in';
import './styles.css';

/** The route is the hash (`#/item/object/account`), so the server serves one page for every screen. */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

function App() {
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [checking, setChecking] = useState(session.token !== null);
  const route = useRoute();

  useEffect(() => {
    if (!session.token) return;
    api<Principal>('/me')
      .then(setPrincipal, () => (session.token = null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="loading">Checking your sign-in…</p>;
  if (!principal) return <SignIn onSignedIn={setPrincipal} />;

  const [screen = 'items', ...rest] = route;
  const signOut = () => {
    session.token = null;
    setPrincipal(null);
  };
  return (
    <div class="app">
      <header>
        <h1>metaledger audit console</h1>
        <nav aria-label="Main">
          <a href="#/items" aria-current={screen === 'items' || screen === 'item' ? 'page' : undefined}>
            Items
          </a>
          <a href="#/feed" aria-current={screen === 'feed' ? 'page' : undefined}>
            Live feed
          </a>
          <a href="#/restore" aria-current={screen === 'restore' ? 'page' : undefined}>
            Restore
          </a>
        </nav>
        <span class="who" aria-label="Signed in as">
          {principal.id}
          {principal.roles.length > 0 && <span class="roles"> ({principal.roles.join(', ')})</span>}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {screen === 'item' && rest.length === 2 ? (
          <ItemPage key={rest.join('/')} type={rest[0]} name={rest[1]} />
        ) : screen === 'feed' ? (
          <FeedPage />
        ) : screen === 'restore' ? (
          <RestorePage />
        ) : (
          <ItemsPage />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
