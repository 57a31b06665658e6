import bcrypt from 'bcryptjs';
import { findWorkerFile, HashPool, passwordCheckerForHost } from '../../../lambda/auth/hash-pool';
import { inlineChecker } from '../../../lambda/auth/passwords';
import { OciError } from '../../../lambda/oci/errors';

describe('HashPool (bcrypt on worker threads)', () => {
  let pool: HashPool;
  beforeAll(() => {
    pool = new HashPool(findWorkerFile()!, 1);
  });
  afterAll(() => pool.close());

  it('answers like bcrypt: true for the password, false for another or for a malformed hash', async () => {
    const hash = bcrypt.hashSync('right', 4);
    expect(await pool.compare('right', hash)).toBe(true);
    expect(await pool.compare('wrong', hash)).toBe(false);
    expect(await pool.compare('right', 'not-a-hash')).toBe(false);
  });

  it('keeps the calling thread free: a 5 ms timer keeps firing during three cost-12 checks', async () => {
    // Inline (bcryptjs on this thread) the gaps between ticks are 300 ms and more here.
    const hash = '$2b$12$JfS4BhWOLqtUb0047d9ONeTcCE8mbGJs5m1TFFxkxajFooQ1uOGee';
    await pool.compare('warm-up', bcrypt.hashSync('x', 4));
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      gaps.push(t - last);
      last = t;
    }, 5);
    await Promise.all([1, 2, 3].map((i) => pool.compare(`guess-${i}`, hash)));
    clearInterval(timer);
    gaps.sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length * 0.9)]).toBeLessThan(30);
  });

  it('refuses checks beyond 32 waiting with 429 TOOMANYREQUESTS instead of queueing without bound', async () => {
    const hash = bcrypt.hashSync('x', 4);
    const results = await Promise.allSettled(Array.from({ length: 70 }, () => pool.compare('y', hash)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refused).toHaveLength(70 - 1 - 32); // one on the thread, 32 waiting
    expect(refused.every((e) => e instanceof OciError && e.code === 'TOOMANYREQUESTS')).toBe(true);
  });
});

describe('passwordCheckerForHost', () => {
  it('is the pool in the Node host (the worker file is found next to the module) and inline in Lambda', () => {
    expect(passwordCheckerForHost({})).toBeInstanceOf(HashPool);
    expect(passwordCheckerForHost({ AWS_LAMBDA_FUNCTION_NAME: 'stratus-api' })).toBe(inlineChecker);
  });

  it('finds no worker where the module was bundled alone (the Lambda bundle)', () => {
    expect(findWorkerFile('/nonexistent')).toBeUndefined();
  });
});
