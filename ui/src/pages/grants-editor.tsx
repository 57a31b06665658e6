import { useState } from 'preact/hooks';

const ACTIONS = ['pull', 'push', 'delete'] as const;

/** A repository pattern and the actions granted on it, as a small form row. */
export function GrantFields({ onSubmit, submitLabel }: { onSubmit: (pattern: string, actions: string[]) => Promise<void>; submitLabel: string }) {
  const [pattern, setPattern] = useState('');
  const [actions, setActions] = useState<string[]>(['pull']);
  const [error, setError] = useState<string | null>(null);
  const toggle = (a: string) => setActions((now) => (now.includes(a) ? now.filter((x) => x !== a) : [...now, a]));
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    onSubmit(pattern.trim(), ACTIONS.filter((a) => actions.includes(a))).then(() => setPattern(''), (err: Error) => setError(err.message));
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <label>Repository pattern <input required placeholder="team/*" value={pattern} onInput={(e) => setPattern(e.currentTarget.value)} /></label>
      <fieldset>
        <legend class="visually-hidden">Actions</legend>
        {ACTIONS.map((a) => (
          <label key={a} class="check"><input type="checkbox" checked={actions.includes(a)} onChange={() => toggle(a)} /> {a}</label>
        ))}
      </fieldset>
      <button type="submit" disabled={actions.length === 0}>{submitLabel}</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

/** Grants as chips: `team/* pull, push`. */
export function GrantList({ grants, onRevoke }: { grants: Array<{ pattern: string; actions: string[] }>; onRevoke?: (pattern: string) => void }) {
  if (grants.length === 0) return <span class="muted">no grants</span>;
  return (
    <ul class="grants">
      {grants.map((g) => (
        <li key={g.pattern} class="grant">
          <span class="mono">{g.pattern}</span> <span class="muted">{g.actions.join(', ')}</span>
          {onRevoke && <button type="button" class="icon" aria-label={`Revoke ${g.pattern}`} title={`Revoke ${g.pattern}`} onClick={() => onRevoke(g.pattern)}>×</button>}
        </li>
      ))}
    </ul>
  );
}
