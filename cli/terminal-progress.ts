/** A progress line rewritten in place on a terminal; nothing when stderr is a pipe or a file. */
export function terminalProgress(): ((text: string) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (text) => {
    const now = Date.now();
    if (text && now - last < 100) return; // a few redraws a second are enough
    last = now;
    process.stderr.write(`\r\x1b[K${text}`);
  };
}
