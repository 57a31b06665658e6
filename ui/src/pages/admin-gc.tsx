import { api } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, humanBytes, relativeTime } from '../format';
import type { GcRun } from '../types';
import { useAsync } from '../use-async';
import { AdminNav } from './admin-nav';

const STATUS_CLASS: Record<GcRun['status'], string> = { completed: 'good', failed: 'bad', incomplete: '', running: '' };

/** The latest garbage-collection runs, newest first: what each deleted and freed. */
export function AdminGcPage() {
  const [state] = useAsync(() => api<GcRun[]>('GET', 'admin/gc-runs'), []);
  return (
    <section>
      <PageHeader title="Administration" />
      <AdminNav current="admin/gc" />
      {state.status === 'loading' && <Loading what="Loading runs" />}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'done' && state.value.length === 0 && <p class="empty">No garbage collection has run yet (<code>npx stratus gc</code>, or the scheduled run in AWS).</p>}
      {state.status === 'done' && state.value.length > 0 && (
        <table class="table">
          <thead>
            <tr><th>Started</th><th>Status</th><th class="num">Took</th><th class="num">Manifests</th><th class="num">Blobs</th><th class="num">Freed</th><th>Where</th></tr>
          </thead>
          <tbody>
            {state.value.map((run) => (
              <tr key={run.runId}>
                <td class="nowrap" title={absoluteTime(run.startedAt)}>{relativeTime(run.startedAt)}</td>
                <td>
                  <span class={`status ${STATUS_CLASS[run.status] ?? ''}`}>{run.status}</span>
                  {run.dryRun && <span class="badge">dry run</span>}
                  {run.error && <div class="error small">{run.error}</div>}
                </td>
                <td class="num">{run.finishedAt ? duration(run.finishedAt - run.startedAt) : '—'}</td>
                <td class="num">{run.manifestsDeleted}</td>
                <td class="num">{run.blobsDeleted}</td>
                <td class="num">{humanBytes(run.bytesFreed)}</td>
                <td class="muted">{run.host}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
