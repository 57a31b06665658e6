import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** Runs on confirm; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * A modal confirmation (the native <dialog>: focus kept inside, Escape closes it, focus returns to the
 * button that opened it). The cancel button has the focus first: a stray Enter deletes nothing.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
  }, []);
  const confirm = () => {
    setBusy(true);
    setError(null);
    onConfirm().then(() => onClose(), (err: Error) => {
      setBusy(false);
      setError(err.message);
    });
  };
  return (
    <dialog ref={ref} class="dialog" onClose={onClose} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{title}</h2>
      <div class="dialog-body">{children}</div>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="dialog-actions">
        <button type="button" ref={cancel} onClick={() => ref.current?.close()}>Cancel</button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>{busy ? 'Working…' : confirmLabel}</button>
      </div>
    </dialog>
  );
}
