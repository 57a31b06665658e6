import { api } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, relativeTime } from '../format';
import type { Policies } from '../types';
import { useAsync } from '../use-async';
import { AdminNav } from './admin-nav';

/** Retention and tag-immutability policies, read-only (they are set with `npx stratus policy`). */
export function AdminPoliciesPage() {
  const [state] = useAsync(() => api<Policies>('GET', 'admin/policies'), []);
  return (
    <section>
      <PageHeader title="Administration" />
      <AdminNav current="admin/policies" />
      {state.status === 'loading' && <Loading what="Loading policies" />}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'done' && (
        <>
          <h2>Retention</h2>
          {state.value.retention.length === 0 ? <p class="empty">No retention policies: every image is kept.</p> : (
            <table class="table">
              <thead><tr><th>Repositories</th><th>Policy</th><th>Updated</th></tr></thead>
              <tbody>
                {state.value.retention.map((p) => (
                  <tr key={p.pattern}>
                    <td class="mono">{p.pattern}</td>
                    <td><pre class="code small">{pretty(p.policyText)}</pre></td>
                    <td class="nowrap" title={absoluteTime(p.updatedAt)}>{relativeTime(p.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Tag immutability</h2>
          {state.value.immutability.length === 0 ? <p class="empty">No immutability rules: every tag can be pushed again.</p> : (
            <table class="table">
              <thead><tr><th>Repositories</th><th>Mode</th><th>Exclusions</th><th>Updated</th></tr></thead>
              <tbody>
                {state.value.immutability.map((p) => (
                  <tr key={p.pattern}>
                    <td class="mono">{p.pattern}</td>
                    <td>{p.mode}</td>
                    <td class="mono">{p.exclusions.length > 0 ? p.exclusions.join(', ') : '—'}</td>
                    <td class="nowrap" title={absoluteTime(p.updatedAt)}>{relativeTime(p.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** A policy's JSON indented for reading; any other text as it is. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
