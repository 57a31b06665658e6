import { startUploadSweeper } from '../../../lambda/hosts/upload-sweeper';
import { settingsFromEnv } from '../../../lambda/hosts/settings';
import { registryOnFakes } from '../fakes/registry-under-test';

describe('the Node host\'s upload sweeper', () => {
  afterEach(() => jest.useRealTimers());

  it('sweeps every interval, logs the counts, survives a failed sweep, and stops when told', async () => {
    jest.useFakeTimers();
    const { deps, meta } = registryOnFakes({ uploadTtlSeconds: 60 });
    const logged: Array<[string, unknown]> = [];
    const logger = { ...deps.logger, info: (m: string, f?: unknown) => logged.push([m, f]), warn: (m: string, f?: unknown) => logged.push([m, f]) };
    await meta.createUpload({ id: 'a1', repository: 'team/app', offset: 0, objectKey: 'blobs/a1', parts: [], createdAt: 0, expiresAt: 1 });
    const list = meta.listExpiredUploads.bind(meta);
    meta.listExpiredUploads = async () => { throw new Error('connect ECONNREFUSED'); };

    const stop = startUploadSweeper(deps, logger, 600);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(logged.map(([m]) => m)).toEqual(['upload sweep failed']);

    meta.listExpiredUploads = list;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(logged[1]).toEqual(['swept expired uploads', expect.objectContaining({ swept: 1, failed: 0 })]);
    expect(meta.uploads.size).toBe(0);

    stop();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(logged).toHaveLength(2);
  });

  it('STRATUS_UPLOAD_SWEEP_SECONDS: 900 by default, 0 turns it off', () => {
    expect(settingsFromEnv({}).uploadSweepSeconds).toBe(900);
    expect(settingsFromEnv({ STRATUS_UPLOAD_SWEEP_SECONDS: '0' }).uploadSweepSeconds).toBe(0);
    expect(settingsFromEnv({ STRATUS_UPLOAD_SWEEP_SECONDS: '60' }).uploadSweepSeconds).toBe(60);
  });
});
