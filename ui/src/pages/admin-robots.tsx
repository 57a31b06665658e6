import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CopyButton } from '../components/copy-button';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, relativeTime } from '../format';
import type { Grant, RobotRecord } from '../types';
import { useAsync } from '../use-async';
import { AdminNav } from './admin-nav';
import { GrantList } from './grants-editor';

const ACTIONS = ['pull', 'push', 'delete'];

/** Robot tokens: create one (its secret shown once), revoke. */
export function AdminRobotsPage() {
  const [state, reload] = useAsync(() => api<RobotRecord[]>('GET', 'admin/robots'), []);
  const [created, setCreated] = useState<{ name: string; id: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<RobotRecord | null>(null);

  return (
    <section>
      <PageHeader title="Administration" />
      <AdminNav current="admin/robots" />
      <NewRobot onCreated={(robot) => { setCreated(robot); reload(); }} />
      {created && (
        <div class="notice" role="status">
          <p><strong>Robot {created.name} created.</strong> Its secret is shown this once: store it now.</p>
          <div class="command"><code>{created.secret}</code><CopyButton text={created.secret} label="Copy secret" /></div>
          <p class="muted small">Log in with <code>docker login {window.location.host} -u {created.name}</code> and the secret as password.</p>
          <button type="button" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      {state.status === 'loading' && <Loading what="Loading robots" />}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'done' && state.value.length === 0 && <p class="empty">No robot tokens.</p>}
      {state.status === 'done' && state.value.length > 0 && (
        <table class="table">
          <thead><tr><th>Robot</th><th>Grants</th><th>Created</th><th>Expires</th><th>Status</th></tr></thead>
          <tbody>
            {state.value.map((r) => (
              <tr key={r.id}>
                <td><strong>{r.name}</strong><div class="muted small mono">{r.id}</div></td>
                <td><GrantList grants={r.grants} /></td>
                <td title={absoluteTime(r.createdAt)}>{relativeTime(r.createdAt)}</td>
                <td title={absoluteTime(r.expiresAt)}>{r.expiresAt ? relativeTime(r.expiresAt) : 'never'}</td>
                <td>
                  {r.revoked ? <span class="status bad">revoked</span> : (
                    <button type="button" class="danger" onClick={() => setRevoking(r)}>Revoke</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog title={`Revoke robot ${revoking.name}?`} confirmLabel="Revoke"
          onConfirm={() => api('POST', 'admin/robots/revoke', {}, { id: revoking.id }).then(reload)} onClose={() => setRevoking(null)}>
          <p>Its secret stops working at once; whatever uses it (CI jobs) will fail to log in.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function NewRobot({ onCreated }: { onCreated: (robot: { name: string; id: string; secret: string }) => void }) {
  const [name, setName] = useState('');
  const [pattern, setPattern] = useState('');
  const [actions, setActions] = useState<string[]>(['pull']);
  const [days, setDays] = useState('90');
  const [error, setError] = useState<string | null>(null);
  const toggle = (a: string) => setActions((now) => (now.includes(a) ? now.filter((x) => x !== a) : [...now, a]));
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    const grants: Grant[] = [{ pattern: pattern.trim(), actions: ACTIONS.filter((a) => actions.includes(a)) }];
    const expiresInDays = days.trim() === '' ? undefined : Number(days);
    api<{ id: string; secret: string }>('POST', 'admin/robots', {}, { name: name.trim(), grants, expiresInDays }).then((answer) => {
      onCreated({ name: name.trim(), ...answer });
      setName('');
      setPattern('');
    }, (err: Error) => setError(err.message));
  };
  return (
    <form class="card form-grid" onSubmit={submit}>
      <h2>New robot token</h2>
      <label>Name <input required placeholder="ci-builder" value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>Repository pattern <input required placeholder="team/*" value={pattern} onInput={(e) => setPattern(e.currentTarget.value)} /></label>
      <fieldset>
        <legend>Actions</legend>
        {ACTIONS.map((a) => <label key={a} class="check"><input type="checkbox" checked={actions.includes(a)} onChange={() => toggle(a)} /> {a}</label>)}
      </fieldset>
      <label>Expires in days <input type="number" min="1" placeholder="never" value={days} onInput={(e) => setDays(e.currentTarget.value)} /></label>
      <div><button type="submit" class="primary" disabled={actions.length === 0}>Create robot</button></div>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
