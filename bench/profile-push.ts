/**
 * `npx tsx bench/profile-push.ts [--quick]`: where Stratus's API push and pull spend their time. Starts
 * the bench's Stratus (local/start.ts through tsx) with `--cpu-prof`, pushes and pulls the bench image 3
 * times, stops it, and prints the heaviest functions (self time) of the registry's profile, with the wall
 * time of the phases and the CPU seconds of each process meanwhile. Profiles stay under .stratus/bench-profiles/.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './settings';
import { syntheticImage } from './image';
import { cleanups, cpuDuring, startStratus } from './contenders';
import { pull, push, warmupPush } from './registry-client';
import { round } from './stats';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time per function (ms), heaviest first. */
function heaviest(p: Profile, top: number): Array<{ where: string; ms: number }> {
  const byNode = new Map<number, number>();
  p.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  for (const n of p.nodes) {
    const ms = byNode.get(n.id) ?? 0;
    const file = n.callFrame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const where = `${n.callFrame.functionName || '(anonymous)'} ${file ? `${file}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(where, (byFunction.get(where) ?? 0) + ms);
  }
  return [...byFunction].map(([where, ms]) => ({ where, ms: round(ms, 1) })).sort((a, b) => b.ms - a.ms).slice(0, top);
}

async function main(): Promise<void> {
  const dir = join(ROOT, '.stratus/bench-profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const image = await syntheticImage();
  const work = mkdtempSync(join(tmpdir(), 'stratus-profile-'));
  const reg = await startStratus(5900 + Math.floor(Math.random() * 90), work, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const runs = 3;
  try {
    await warmupPush(reg.base);
    let t0 = performance.now();
    const pushCpu = (await cpuDuring(reg, async () => { for (let i = 0; i < runs; i++) await push(reg.base, `profile/img${i}`, image); })).cpu;
    const pushS = (performance.now() - t0) / 1000 / runs;
    t0 = performance.now();
    const pullCpu = (await cpuDuring(reg, async () => { for (let i = 0; i < runs; i++) await pull(reg.base, `profile/img${i}`, image); })).cpu;
    const pullS = (performance.now() - t0) / 1000 / runs;
    const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
    process.stdout.write(`push ${round(pushS, 3)} s per run (${runs} runs), CPU s: ${fmt(pushCpu)}\npull ${round(pullS, 3)} s per run, CPU s: ${fmt(pullCpu)}\n`);
  } finally {
    await reg.stop();
    for (const c of cleanups) await c().catch(() => undefined);
  }
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
    const total = p.timeDeltas.reduce((a, d) => a + d, 0) / 1000;
    process.stdout.write(`\n${f}: ${round(total)} ms sampled\n`);
    for (const h of heaviest(p, 15)) process.stdout.write(`  ${String(h.ms).padStart(8)} ms  ${h.where}\n`);
  }
  rmSync(work, { recursive: true, force: true });
}

main().catch((err) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
