/** A start-up failure the user can fix: printed as its message alone, without a stack trace. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** What `npm start` prints when it cannot start: the message of a known cause, else the stack. */
export function startupFailureText(err: unknown): string {
  if (err instanceof StartupError) return err.message;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === 'EADDRINUSE') return portInUseMessage(e.address ?? '', e.port ?? 0);
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** The message for a registry port another process holds. */
export function portInUseMessage(host: string, port: number): string {
  return `port ${port} on ${host} is in use by another process (another registry?): stop it, or choose another port with PORT=<port>`;
}
