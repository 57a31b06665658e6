import { SessionLocks } from '../../../lambda/core/uploads/session-locks';

const tick = () => new Promise((r) => setImmediate(r));

describe('SessionLocks', () => {
  it('runs writes of one session one after the other, in arrival order', async () => {
    const locks = new SessionLocks();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = locks.run('s', async () => {
      events.push('first start');
      await new Promise<void>((r) => (releaseFirst = r));
      events.push('first end');
    });
    const second = locks.run('s', async () => void events.push('second'));

    await tick();
    expect(events).toEqual(['first start']);
    releaseFirst();
    await Promise.all([first, second]);

    expect(events).toEqual(['first start', 'first end', 'second']);
  });

  it('lets writes of different sessions run at once', async () => {
    const locks = new SessionLocks();
    let releaseA!: () => void;
    const a = locks.run('a', () => new Promise<void>((r) => (releaseA = r)));

    const b = await locks.run('b', async () => 'b done');

    expect(b).toBe('b done');
    releaseA();
    await a;
  });

  it('releases the session when a write throws', async () => {
    const locks = new SessionLocks();

    await expect(locks.run('s', async () => { throw new Error('boom'); })).rejects.toThrow('boom');

    await expect(locks.run('s', async () => 'next')).resolves.toBe('next');
  });
});
