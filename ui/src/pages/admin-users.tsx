import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import type { UserRecord } from '../types';
import { useAsync } from '../use-async';
import { AdminNav } from './admin-nav';
import { GrantFields, GrantList } from './grants-editor';

/** Users with their grants: grant, revoke, disable and enable. */
export function AdminUsersPage() {
  const [state, reload] = useAsync(() => api<UserRecord[]>('GET', 'admin/users'), []);
  const [error, setError] = useState<Error | null>(null);
  const [revoking, setRevoking] = useState<{ user: string; pattern: string } | null>(null);
  const act = (work: Promise<unknown>) => work.then(() => { setError(null); reload(); }, (err: Error) => setError(err));

  return (
    <section>
      <PageHeader title="Administration" />
      <AdminNav current="admin/users" />
      {error && <ErrorBox error={error} />}
      {state.status === 'loading' && <Loading what="Loading users" />}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'done' && (
        <table class="table">
          <thead><tr><th>User</th><th>Grants</th><th>Status</th></tr></thead>
          <tbody>
            {state.value.map((u) => (
              <tr key={u.name}>
                <td><strong>{u.name}</strong>{u.admin && <span class="badge">admin</span>}</td>
                <td>
                  <GrantList grants={u.grants} onRevoke={(pattern) => setRevoking({ user: u.name, pattern })} />
                  <GrantFields submitLabel="Grant"
                    onSubmit={(pattern, actions) => api('POST', 'admin/grants', {}, { user: u.name, pattern, actions }).then(reload)} />
                </td>
                <td>
                  <span class={u.disabled ? 'status bad' : 'status good'}>{u.disabled ? 'disabled' : 'active'}</span>{' '}
                  <button type="button" onClick={() => act(api('POST', 'admin/users/disable', {}, { user: u.name, disabled: !u.disabled }))}>
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.status === 'done' && state.value.length === 0 && <p class="empty">No users yet: add them with <code>npx stratus user add</code>.</p>}
      {revoking && (
        <ConfirmDialog title={`Revoke ${revoking.pattern} from ${revoking.user}?`} confirmLabel="Revoke"
          onConfirm={() => api('DELETE', 'admin/grants', { user: revoking.user, pattern: revoking.pattern }).then(reload)}
          onClose={() => setRevoking(null)}>
          <p>{revoking.user} loses every right on repositories matching <span class="mono">{revoking.pattern}</span> from the next request on.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
