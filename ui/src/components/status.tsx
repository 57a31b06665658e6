import type { ComponentChildren } from 'preact';

/** An error answer, in words, as an alert. */
export function ErrorBox({ error }: { error: Error }) {
  return <div class="error-box" role="alert">{error.message}</div>;
}

/** Shown while a screen's first answer is on its way. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return <p class="muted" aria-live="polite">{what}…</p>;
}

/** A screen's title row, with actions on its right. */
export function PageHeader({ title, children }: { title: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}
