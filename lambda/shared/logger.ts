/** Structured logging the core depends on; hosts choose where lines go. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Writes one JSON object per line to stdout (info) or stderr (warn, error). */
export function jsonLogger(base: Record<string, unknown> = {}): Logger {
  const write = (level: string, stream: NodeJS.WritableStream, message: string, fields?: Record<string, unknown>) => {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields })}\n`);
  };
  return {
    info: (m, f) => write('info', process.stdout, m, f),
    warn: (m, f) => write('warn', process.stderr, m, f),
    error: (m, f) => write('error', process.stderr, m, f),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
