import { Agent, request } from 'node:http';

/** What a load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * Sends the same request from `connections` keep-alive connections for `seconds` and measures throughput
 * and latency. Node's HTTP client, because it knows a HEAD response has no body (autocannon waits for one).
 */
export async function load(url: string, opts: { method: string; headers?: Record<string, string>; connections: number; seconds: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + opts.seconds * 1000;
  const one = () => new Promise<void>((resolve) => {
    const started = performance.now();
    const req = request(url, { method: opts.method, headers: opts.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
  await Promise.all(Array.from({ length: opts.connections }, async () => {
    while (performance.now() < end) await one();
  }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return { rps: Math.round(latencies.length / opts.seconds), p50: at(0.5), p99: at(0.99), errors };
}
