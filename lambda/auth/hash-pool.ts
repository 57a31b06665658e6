import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { OciError } from '../oci/errors';
import { inlineChecker, PasswordChecker } from './passwords';

/** Threads stop after this long without work (started again on the next check). */
const IDLE_MS = 30_000;
/** Checks waiting for a thread beyond this are refused (429): the queue never grows without bound. */
const MAX_WAITING = 32;
// A name, not a literal, in require.resolve: bundlers leave it alone (only the source tree needs tsx).
const TS_LOADER = 'tsx/cjs';

interface Job {
  id: number;
  password: string;
  hash: string;
  resolve: (ok: boolean) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  job?: Job;
}

/**
 * bcrypt checks on worker threads (hash-worker.ts), so a burst of logins never stalls the thread that
 * serves pulls: bcryptjs is pure JavaScript and a cost-12 check holds a thread for about 250 ms.
 * Threads start on the first check, stop when idle, and never keep the process alive.
 */
export class HashPool implements PasswordChecker {
  private readonly threads: Thread[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly worker: WorkerFile, private readonly size = defaultPoolSize()) {}

  compare(password: string, hash: string): Promise<boolean> {
    if (this.saturated()) return Promise.reject(busy());
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, password, hash, resolve, reject });
      this.dispatch();
    });
  }

  saturated(): boolean {
    return this.waiting.length >= MAX_WAITING;
  }

  /** Stops every thread; checks still waiting fail. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    for (const job of this.waiting.splice(0)) job.reject(new Error('password check pool closed'));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.waiting.length > 0) {
      const thread = this.threads.find((t) => !t.job) ?? (this.threads.length < this.size ? this.spawn() : undefined);
      if (!thread) return;
      thread.job = this.waiting.shift()!;
      thread.worker.postMessage({ id: thread.job.id, password: thread.job.password, hash: thread.job.hash });
    }
    if (this.threads.every((t) => !t.job)) {
      this.idleTimer = setTimeout(() => void this.stopIdle(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private spawn(): Thread {
    const worker = new Worker(this.worker.file, { execArgv: this.worker.execArgv });
    worker.unref();
    const thread: Thread = { worker };
    worker.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
      const job = thread.job;
      if (job?.id !== id) return;
      thread.job = undefined;
      job.resolve(ok);
      this.dispatch();
    });
    // A thread that dies fails its check (a 500 for that login); the next check starts a fresh one.
    const lost = (err: Error) => {
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      thread.job?.reject(err);
      thread.job = undefined;
      if (this.waiting.length > 0) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`password check thread exited (${code})`)));
    this.threads.push(thread);
    return thread;
  }

  private async stopIdle(): Promise<void> {
    if (this.waiting.length > 0 || this.threads.some((t) => t.job)) return;
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }
}

/** The answer when too many checks wait: try again in a second. */
export function busy(): OciError {
  return new OciError('TOOMANYREQUESTS', 'too many logins in progress, try again shortly', { headers: { 'retry-after': '1' } });
}

/** The worker's file and the Node options it needs to load. */
export interface WorkerFile {
  file: string;
  execArgv: string[];
}

/**
 * The worker next to this module: `hash-worker.js` in a build (the container image bundles it beside
 * server.js), `hash-worker.ts` in the source tree, loaded with tsx (`npm start`, jest); none in the
 * Lambda bundle.
 */
export function findWorkerFile(dir = __dirname): WorkerFile | undefined {
  const js = join(dir, 'hash-worker.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  const ts = join(dir, 'hash-worker.ts');
  if (existsSync(ts)) return { file: ts, execArgv: ['--require', require.resolve(TS_LOADER)] };
  return undefined;
}

/**
 * How a host checks passwords: on worker threads in the Node host; inline in Lambda, where one
 * invocation serves one request and no other request waits behind the check.
 */
export function passwordCheckerForHost(env: NodeJS.ProcessEnv = process.env): PasswordChecker {
  if (env.AWS_LAMBDA_FUNCTION_NAME) return inlineChecker;
  const worker = findWorkerFile();
  return worker ? new HashPool(worker) : inlineChecker;
}

/** One thread less than the cores (at least one, at most four): request handling keeps a core. */
function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
