import { useEffect, useRef, useState } from 'preact/hooks';
import { api, whenLoggedOut } from './api';
import { ErrorBox, Loading } from './components/status';
import { AdminGcPage } from './pages/admin-gc';
import { AdminPoliciesPage } from './pages/admin-policies';
import { AdminRobotsPage } from './pages/admin-robots';
import { AdminUsersPage } from './pages/admin-users';
import { LoginPage } from './pages/login';
import { ManifestPage } from './pages/manifest';
import { RepositoriesPage } from './pages/repositories';
import { TagsPage } from './pages/tags';
import { href, Link, Location, navigate, useLocation } from './router';
import { SessionContext, useSession } from './session';
import { currentTheme, Theme, toggleTheme } from './theme';
import { logout, renew, storedTokens } from './tokens';
import type { SessionInfo } from './types';
import { useAsync } from './use-async';

/** The app: the session first (auth on or off, who is logged in), then the screen the address names. */
export function App() {
  const location = useLocation();
  const [session, reload] = useAsync(loadSession, []);
  // While the session is asked again (login, logout), the screen stays: no flash, no remount.
  const known = useRef<SessionInfo | null>(null);
  if (session.status === 'done') known.current = session.value;
  useEffect(() => {
    // Any 401 (tokens expired and not renewable, user disabled): log in again, then come back here.
    // "Ended" only when a token was sent and refused: a caller who never logged in just gets the form.
    whenLoggedOut((ended) => {
      if (!window.location.pathname.startsWith('/ui/login')) {
        navigate(href('login', { next: window.location.pathname + window.location.search, ended: ended ? '1' : undefined }), true);
        reload();
      }
    });
  }, []);
  useSearchShortcut();
  useEffect(() => { document.title = titleOf(location); }, [location]);

  if (session.status === 'failed') return <main class="main"><ErrorBox error={session.error} /></main>;
  if (!known.current) return <main class="main"><Loading what="Connecting to the registry" /></main>;
  return (
    <SessionContext.Provider value={{ info: known.current, refresh: reload }}>
      <a class="skip" href="#main">Skip to content</a>
      <Header location={location} />
      <main id="main" class="main" tabIndex={-1}><Screen location={location} /></main>
    </SessionContext.Provider>
  );
}

/**
 * The session as the registry sees this tab. A stored token it did not accept (expired, signing keys
 * rotated) makes the answer anonymous: renewed once with the refresh token and asked again.
 */
async function loadSession(): Promise<SessionInfo> {
  const info = await api<SessionInfo>('GET', 'session');
  if (!info.authEnabled || info.subject || !storedTokens()) return info;
  if (await renew()) {
    const again = await api<SessionInfo>('GET', 'session');
    if (again.subject) return again;
  }
  sessionEnded = true;
  logout();
  return info;
}

/** Set when this tab held tokens the registry no longer accepts: the login then says the session ended. */
let sessionEnded = false;

/**
 * Auth on and nobody logged in: the UI API answers nothing without a login (anonymous tokens do not open
 * it), so screens go straight to the login (no request refused first), and come back here after it.
 */
function ToLogin() {
  useEffect(() => {
    const ended = sessionEnded;
    sessionEnded = false;
    navigate(href('login', { next: window.location.pathname + window.location.search, ended: ended ? '1' : undefined }), true);
  }, []);
  return <Loading what="Log in to continue" />;
}

function Screen({ location }: { location: Location }) {
  const { info } = useSession();
  const { path, query } = location;
  const page = path.replace(/^\/ui\/?/, '').replace(/\/+$/, '');
  if (page === 'login') return <LoginPage next={query.get('next')} ended={query.get('ended') === '1'} />;
  // Tokens stored but the session not yet asked again (just logged in): wait for it rather than bounce.
  if (info.authEnabled && !info.subject) return storedTokens() ? <Loading what="Connecting to the registry" /> : <ToLogin />;
  if (page === '' || page === 'repositories') return <RepositoriesPage q={query.get('q') ?? ''} />;
  if (page === 'repository' && query.get('name')) return <TagsPage repository={query.get('name')!} q={query.get('q') ?? ''} />;
  if (page === 'manifest' && query.get('repository') && query.get('reference')) {
    return <ManifestPage repository={query.get('repository')!} reference={query.get('reference')!} index={query.get('index')} />;
  }
  if (page.startsWith('admin')) {
    if (!info.authEnabled) return <Message title="Administration">This registry runs without authentication: there are no users or robots to manage.</Message>;
    if (!info.admin) return <Message title="Administration">Only administrators see these screens.</Message>;
    if (page === 'admin' || page === 'admin/users') return <AdminUsersPage />;
    if (page === 'admin/robots') return <AdminRobotsPage />;
    if (page === 'admin/gc') return <AdminGcPage />;
    if (page === 'admin/policies') return <AdminPoliciesPage />;
  }
  return <Message title="Not found">No such page. <Link href={href('')}>See the repositories</Link>.</Message>;
}

function Message({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return <section class="narrow"><h1>{title}</h1><p>{children}</p></section>;
}

function Header({ location }: { location: Location }) {
  const { info, refresh } = useSession();
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const onLogout = () => {
    logout();
    refresh();
    navigate(href(info.authEnabled ? 'login' : ''));
  };
  const at = (prefix: string) => (location.path.startsWith(prefix) ? 'page' : undefined);
  return (
    <header class="header">
      <Link href={href('')} class="brand"><span class="logo" aria-hidden="true" />Stratus</Link>
      <nav class="nav" aria-label="Main">
        <Link href={href('')} aria-current={location.path === '/ui/' || location.path === '/ui' ? 'page' : undefined}>Repositories</Link>
        {info.admin && <Link href={href('admin/users')} aria-current={at('/ui/admin')}>Administration</Link>}
      </nav>
      <div class="header-end">
        <button type="button" class="ghost" onClick={() => setTheme(toggleTheme())} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        {info.authEnabled && (info.subject
          ? <><span class="who" title={`Logged in as ${info.subject}`}>{storedTokens()?.subject ?? info.subject}</span><button type="button" class="ghost" onClick={onLogout}>Log out</button></>
          : <Link href={href('login')} class="button">Log in</Link>)}
        {!info.authEnabled && <span class="who muted" title="STRATUS_AUTH is off">auth off</span>}
      </div>
    </header>
  );
}

/** The tab's title: what the screen shows, then the registry ("team/app:v1 · Stratus"). */
function titleOf({ path, query }: Location): string {
  const page = path.replace(/^\/ui\/?/, '').replace(/\/+$/, '');
  const reference = query.get('reference') ?? '';
  const what = page === 'repository' ? query.get('name')
    : page === 'manifest' ? `${query.get('repository')}${reference.includes(':') ? '@' : ':'}${reference}`
    : page === 'login' ? 'Log in'
    : page.startsWith('admin') ? 'Administration'
    : 'Repositories';
  return `${what} · Stratus`;
}

/** `/` focuses the screen's search box (unless the user is typing somewhere). */
function useSearchShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      const box = document.querySelector<HTMLInputElement>('input[data-search]');
      if (box) {
        e.preventDefault();
        box.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
