import { readmeTable } from '../../../bench/readme-table';
import { scaleTargets, type Figures, type Results } from '../../../bench/report';

/** The figures of one contender, with only what the rows below read. */
function figures(rps: number, putsPerSecond: number): Figures {
  return {
    startSeconds: 1, pushSeconds: [2.5], pullSeconds: [1], manifest: {}, pullBytesViaRegistry: 0, pullBytesViaRedirect: 0, pullRedirects: 4,
    skopeoPushSeconds: [], skopeoPullSeconds: [], dockerPushSeconds: [], dockerPullSeconds: [], backendCalls: {}, cpuSeconds: {}, cpuMsPerRequest: {},
    operations: { calls: {}, manifestPutsPerSecond: { 'create repository': putsPerSecond, 'new tag': rps }, manifestPuts: 10 },
  } as Figures;
}

const floors = { sha256MBps: [1700], image: { putSeconds: [1], multipartSeconds: [2], getSeconds: [0.5], partSizeMB: 8 }, big: { putSeconds: [1], multipartSeconds: [1], getSeconds: [1], partSizeMB: 8 } };

function file(results: Results) {
  return {
    mode: 'full', date: '2026-12-03T18:00:00Z', elapsedSeconds: 1, machine: { cpus: 2, memoryMB: 4096 }, versions: {},
    work: { layersMB: [100, 60, 40], bigLayerMB: 1024, tags: 1000, runs: 3 }, floors, results, targets: [], scaleTargets: scaleTargets(results, floors, 1024),
  };
}

describe('bench/readme-table.ts', () => {
  it('writes each figure of Stratus and distribution, the ratio, and whether the target holds', () => {
    const md = readmeTable(file({ stratus: figures(300, 50), 'distribution-fs': figures(200, 100) }));
    expect(md).toContain('| manifest PUTs/s of new tags, one connection | 300 |  | 200 | 1.5× (vs filesystem) | manifest PUTs/s (new tag) >= distribution-fs: holds |');
    expect(md).toContain('| manifest PUTs/s creating a repository, one connection | 50 |  | 100 | 0.5× (vs filesystem) | manifest PUTs/s (create repository) >= distribution-fs: misses |');
  });

  it('judges the floors: push 2.5 s against a 2 s multipart floor is 1.25x, over the 1.15x target', () => {
    const md = readmeTable(file({ stratus: figures(1, 1) }));
    expect(md).toContain('- misses: API push <= 1.15x the local S3 server\'s multipart floor (1.25x');
    expect(md).toContain('- misses: API pull <= 1.1x the local S3 server\'s GetObject floor (2x');
  });
});
