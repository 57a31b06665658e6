/**
 * A short confirmation carried to the next screen ("Deleted tag team/app:1.0"): set before navigating,
 * taken (once) by the screen that shows it.
 */
let pending: string | null = null;

export function leaveNotice(message: string): void {
  pending = message;
}

/** The notice left for this screen, if any; it is shown once. */
export function takeNotice(): string | null {
  const message = pending;
  pending = null;
  return message;
}
