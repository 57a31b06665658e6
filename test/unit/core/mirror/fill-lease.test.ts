import { fillOnce } from '../../../../lambda/core/mirror/fill-lease';
import { OciError } from '../../../../lambda/oci/errors';
import { MemoryMirrorStore } from '../../fakes/memory-mirror-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready` holds (polling), failing after 10 s. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await sleep(10);
  if (!ready()) throw new Error('condition not met within 10 s');
}

function options(store: MemoryMirrorStore, leaseMs = 300, waitMs = 30_000) {
  return { store, now: Date.now, leaseMs, waitMs, what: 'blob sha256:x' };
}

describe('fillOnce', () => {
  it('concurrent callers: one fills, the others get its result', async () => {
    const store = new MemoryMirrorStore();
    let result: string | null = null;
    let fills = 0;
    const fill = async () => { fills++; await sleep(200); result = 'filled'; return result; };

    const all = await Promise.all([0, 1, 2].map(() => fillOnce('blob:x', options(store), async () => result, fill)));

    expect(all).toEqual(['filled', 'filled', 'filled']);
    expect(fills).toBe(1);
    expect(store.leases.size).toBe(0);
  });

  it('a holder that fails frees the lease: a waiter takes over and fills', async () => {
    const store = new MemoryMirrorStore();
    let result: string | null = null;
    const first = fillOnce('blob:x', options(store), async () => result, async () => { await sleep(150); throw new Error('upstream cut'); });
    await sleep(20);
    const second = fillOnce('blob:x', options(store), async () => result, async () => (result = 'second'));

    await expect(first).rejects.toThrow('upstream cut');
    expect(await second).toBe('second');
  });

  it('a fill longer than the lease keeps it (renewed): no second fill meanwhile', async () => {
    const store = new MemoryMirrorStore();
    let clock = 1_000_000;
    const opts = { ...options(store, 200), now: () => clock };
    let result: string | null = null;
    let fills = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow = fillOnce('blob:x', opts, async () => result, async () => { fills++; await gate; return (result = 'slow'); });
    await until(() => store.leases.has('blob:x'));
    clock += 150;
    await until(() => store.leases.get('blob:x')!.until >= clock + 200); // renewed at the new time
    clock += 150; // past the first lease's end: only the renewal keeps it

    const late = fillOnce('blob:x', opts, async () => result, async () => { fills++; return (result = 'late'); });
    await sleep(50);
    finish();

    expect(await slow).toBe('slow');
    expect(await late).toBe('slow');
    expect(fills).toBe(1);
  });

  it('another holder outlasting the wait -> 503 UNAVAILABLE with Retry-After', async () => {
    const store = new MemoryMirrorStore();
    await store.acquireLease('blob:x', 'elsewhere', Date.now(), 60_000);

    const err = await fillOnce('blob:x', options(store, 300, 250), async () => null, async () => 'never').catch((e) => e);

    expect(err).toBeInstanceOf(OciError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(Number(err.headers['retry-after'])).toBeGreaterThan(0);
  });
});
