import { randomUUID } from 'node:crypto';
import { OciError } from '../../oci/errors';
import type { MirrorStore } from '../../ports/mirror-store';

/** How one fill is coordinated across hosts: its lease key, how long to wait for another host's fill. */
export interface FillLeaseOptions {
  store: Pick<MirrorStore, 'acquireLease' | 'releaseLease'>;
  now: () => number;
  leaseMs: number;
  waitMs: number;
  /** What a 503 tells the client when the wait runs out. */
  what: string;
}

/** First and longest pause between two looks at another host's fill (ms). */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 1000;

/**
 * One host fills, the others wait for its result: `done` looks for a finished fill (a stored record);
 * when there is none, whoever takes the lease runs `fill` (renewing the lease while it runs), the rest
 * look again with growing pauses. A holder that fails or dies frees the lease (released, or expired) and
 * the next waiter takes over. After waitMs without a result: 503 UNAVAILABLE with Retry-After.
 */
export async function fillOnce<T>(key: string, opts: FillLeaseOptions, done: () => Promise<T | null>, fill: () => Promise<T>): Promise<T> {
  const deadline = opts.now() + opts.waitMs;
  let pause = POLL_FIRST_MS;
  for (;;) {
    const found = await done();
    if (found !== null) return found;
    const holder = randomUUID();
    if (await opts.store.acquireLease(key, holder, opts.now(), opts.leaseMs)) return holding(key, holder, opts, fill);
    if (opts.now() + pause > deadline) {
      throw new OciError('UNAVAILABLE', `${opts.what} is being fetched from the upstream by another request: try again shortly`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(opts.leaseMs / 3000))) },
      });
    }
    await sleep(pause);
    pause = Math.min(POLL_MAX_MS, pause * 2);
  }
}

/** Runs `fill` holding the lease: renewed every third of its lifetime, released at the end. */
async function holding<T>(key: string, holder: string, opts: FillLeaseOptions, fill: () => Promise<T>): Promise<T> {
  const renew = setInterval(() => {
    // A lost renewal is harmless: the fill's writes are conditional, a second fill only repeats the fetch.
    opts.store.acquireLease(key, holder, opts.now(), opts.leaseMs).catch(() => undefined);
  }, Math.max(100, Math.floor(opts.leaseMs / 3)));
  renew.unref();
  try {
    return await fill();
  } finally {
    clearInterval(renew);
    await opts.store.releaseLease(key, holder).catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
