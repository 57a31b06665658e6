import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveHolder, lockDataDir, lockFile } from '../../../local/data-dir-lock';
import { StartupError } from '../../../local/startup-error';

const selfStartTime = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};
/** A pid that was just in use and is now free (a process that ran and exited). */
const deadPid = () => spawnSync('true').pid!;

describe('the data directory lock (stratus.lock)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stratus-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken on a free directory, names this process, and is removed on release', () => {
    const lock = lockDataDir(dir, 'npm start');
    expect(lock.stale).toBeUndefined();
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, role: 'npm start', startTime: selfStartTime() });
    expect(liveHolder(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('is refused with a StartupError naming the holder while that process lives', () => {
    writeFileSync(lockFile(dir), JSON.stringify({ pid: process.pid, startTime: selfStartTime(), role: 'npm start', startedAt: 'then' }));
    expect(() => lockDataDir(dir, 'npm start')).toThrow(StartupError);
    expect(() => lockDataDir(dir, 'npm start')).toThrow(`data directory ${dir} is in use by npm start (pid ${process.pid}, since then)`);
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).startedAt).toBe('then'); // left as it was
  });

  it.each([
    ['whose process is gone', () => ({ pid: deadPid() })],
    ['whose pid now belongs to another process (start time differs)', () => ({ pid: process.pid, startTime: '1' })],
    ['written before the machine restarted (boot id differs)', () => ({ pid: process.pid, startTime: selfStartTime(), bootId: 'another-boot' })],
    ['that cannot be read', () => 'half a lo'],
  ])('a lock %s is stale: taken over, and reported', (_, holder) => {
    const h = holder();
    writeFileSync(lockFile(dir), typeof h === 'string' ? h : JSON.stringify({ role: 'npm start', startedAt: 'then', ...h }));
    const lock = lockDataDir(dir, 'npm start');
    expect(lock.stale).toBeDefined();
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('release never removes a lock another process has taken over since', () => {
    const lock = lockDataDir(dir, 'npm start');
    writeFileSync(lockFile(dir), JSON.stringify({ pid: deadPid(), role: 'npx stratus', startedAt: 'later' }));
    lock.release();
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).startedAt).toBe('later');
  });
});
