/**
 * A password-check thread of hash-pool.ts: bcrypt here blocks only this thread, never the one serving
 * requests. Messages in: {id, password, hash}; out: {id, ok}.
 */
import bcrypt from 'bcryptjs';
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', ({ id, password, hash }: { id: number; password: string; hash: string }) => {
  let ok = false;
  try {
    ok = bcrypt.compareSync(password, hash);
  } catch {
    ok = false;
  }
  parentPort!.postMessage({ id, ok });
});
