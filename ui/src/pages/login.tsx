import { useEffect, useRef, useState } from 'preact/hooks';
import { href, navigate } from '../router';
import { useSession } from '../session';
import { login } from '../tokens';

/** Log in with a user's password or a robot's name and secret, through the registry's token service. */
export function LoginPage({ next, ended }: { next: string | null; ended: boolean }) {
  const { info, refresh } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameBox = useRef<HTMLInputElement>(null);
  // Focus the name box on arrival (the autofocus attribute is ignored on a page already focused).
  useEffect(() => nameBox.current?.focus(), []);

  if (!info.authEnabled) {
    return <section class="narrow"><h1>Log in</h1><p>This registry runs without authentication: everything is open, no login needed.</p></section>;
  }
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    login(name.trim(), password, info.service ?? '').then(() => {
      refresh();
      // Only a path of this UI: a crafted ?next= must not send the user elsewhere.
      navigate(next && /^\/ui\/(?!\/)/.test(next) ? next : href(''));
    }, (err: Error) => {
      setBusy(false);
      setError(err.message);
    });
  };
  return (
    <section class="narrow">
      <h1>Log in to {window.location.host}</h1>
      {ended && !error && <p class="notice info" role="status">Your session has ended (it expired, or the account was disabled or logged out elsewhere): log in again to continue.</p>}
      <form class="form" onSubmit={submit}>
        <label>User or robot name
          <input ref={nameBox} name="username" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>Password or robot secret
          <input name="password" type="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <p class="muted small">The same accounts as <code>docker login {window.location.host}</code>. Tokens stay in this tab only.</p>
    </section>
  );
}
