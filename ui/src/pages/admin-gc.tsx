import { api } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, relativeTime } from '../format';
import type { GcRun } from '../types';
import { useAsync } from '../use-async';
import { AdminNav } from './admin-nav';

const SHOWN = new Set(['id', 'runId', 'status', 'startedAt', 'finishedAt']);

/** The latest garbage-collection runs, newest first, with whatever counts each recorded. */
export function AdminGcPage() {
  const [state] = useAsync(() => api<GcRun[]>('GET', 'admin/gc-runs'), []);
  return (
    <section>
      <PageHeader title="Administration" />
      <AdminNav current="admin/gc" />
      {state.status === 'loading' && <Loading what="Loading runs" />}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'done' && state.value.length === 0 && <p class="empty">No garbage collection has run yet.</p>}
      {state.status === 'done' && state.value.length > 0 && (
        <table class="table">
          <thead><tr><th>Started</th><th>Status</th><th>Finished</th><th>Details</th></tr></thead>
          <tbody>
            {state.value.map((run, i) => (
              <tr key={String(run.runId ?? run.id ?? i)}>
                <td title={absoluteTime(run.startedAt)}>{relativeTime(run.startedAt)}</td>
                <td><span class={`status ${run.status === 'completed' ? 'good' : run.status === 'failed' ? 'bad' : ''}`}>{run.status ?? '—'}</span></td>
                <td title={absoluteTime(run.finishedAt)}>{run.finishedAt ? relativeTime(run.finishedAt) : '—'}</td>
                <td class="small">{details(run)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function details(run: GcRun): string {
  return Object.entries(run)
    .filter(([k, v]) => !SHOWN.has(k) && v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}
