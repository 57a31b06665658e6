import { createServer } from 'node:net';
import { portInUseMessage, StartupError } from './startup-error';

/**
 * Fails with a clear message when HOST:PORT cannot be listened on, before any backend is started (a
 * port taken after this check still fails the start, with the same message).
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, ok));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(portInUseMessage(host, port));
    if (code === 'EACCES') throw new StartupError(`port ${port} on ${host} needs privileges this user lacks: use a port above 1023 (PORT=<port>)`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`${host} is not an address of this machine: set HOST to one of its addresses (or 0.0.0.0)`);
    throw err;
  }
  await new Promise((ok) => server.close(ok));
}
