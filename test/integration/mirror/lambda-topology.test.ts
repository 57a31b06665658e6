/**
 * The mirror in the cloud topology, on this machine: the Lambda host (events in, its small inline-fill
 * limit) and the upload service (the Node host, no time limit) on one bucket and table. A cold blob past
 * the Lambda's limit is redirected to the upload service, which fills it; without an upload service the
 * Lambda answers 503 saying why. What `docker pull` of a large cold layer meets on AWS.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { createRegistry } from '../../../lambda/core/registry';
import { lambdaAdapter } from '../../../lambda/hosts/lambda/handler';
import { buildDeps } from '../../../lambda/hosts/settings';
import { silentLogger } from '../../../lambda/shared/logger';
import { PushedImage, pushSmallImage } from '../../support/fixture-images';
import { startDistributionUpstream, UpstreamRegistry } from '../../support/upstream-registry';
import { MirrorStratus, pullBlob, startMirrorStratus } from './mirror-stratus';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const LIMIT = 1024 * 1024;

describe('registry mirror on Lambda + upload service', () => {
  let upstream: UpstreamRegistry;
  let uploadService: MirrorStratus;
  let image: PushedImage;
  /** The Lambda host over the upload service's storage, with its inline-fill limit and that upload service (or none). */
  const lambda = (uploadBaseUrl: string) => {
    const { settings } = uploadService;
    const config = { ...settings.config, mirrorFillInlineMaxBytes: LIMIT, uploadBaseUrl };
    const invoke = lambdaAdapter(createRegistry(buildDeps({ ...settings, config }, silentLogger)), silentLogger);
    return async (path: string): Promise<APIGatewayProxyStructuredResultV2> => (await invoke({
      version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', headers: { host: 'registry.test' }, isBase64Encoded: false,
      requestContext: { requestId: 'r1', http: { method: 'GET', path, sourceIp: '127.0.0.1' } },
    } as unknown as APIGatewayProxyEventV2)) as APIGatewayProxyStructuredResultV2;
  };

  beforeAll(async () => {
    upstream = await startDistributionUpstream();
    image = await pushSmallImage(upstream.seedUrl(), 'library/big', 'v1', { layerSizes: [2 * LIMIT, 10 * 1024] });
    uploadService = await startMirrorStratus();
    await uploadService.addRule('', upstream.url);
  });
  afterAll(async () => {
    await uploadService?.stop();
    await upstream?.dispose();
  });

  it('a cold blob past the Lambda\'s limit -> 307 to the upload service, which fills it; smaller ones fill in the Lambda', async () => {
    const get = lambda(uploadService.url);
    const [big, small] = image.layers;

    const manifest = await get('/v2/library/big/manifests/v1');
    const smallAnswer = await get(`/v2/library/big/blobs/${small!.digest}`);
    const bigAnswer = await get(`/v2/library/big/blobs/${big!.digest}`);

    expect(manifest.statusCode).toBe(200);
    expect(smallAnswer.statusCode).toBe(307);
    expect(String(smallAnswer.headers!.location)).not.toContain(uploadService.url);
    expect(bigAnswer.statusCode).toBe(307);
    expect(bigAnswer.headers!.location).toBe(`${uploadService.url}/v2/library/big/blobs/${big!.digest}`);
    const filled = await pullBlob(uploadService.url, 'library/big', big!.digest);
    expect(sha256(filled.bytes)).toBe(big!.digest);
    // Once filled, the Lambda answers it from storage like any blob.
    const again = await get(`/v2/library/big/blobs/${big!.digest}`);
    expect(again.statusCode).toBe(307);
    expect(String(again.headers!.location)).not.toContain(uploadService.url);
  });

  it('a Lambda without an upload service: a cold blob past its limit -> 503 UNAVAILABLE saying why', async () => {
    const image2 = await pushSmallImage(upstream.seedUrl(), 'library/big2', 'v1', { layerSizes: [2 * LIMIT] });
    const get = lambda('');

    await get('/v2/library/big2/manifests/v1');
    const res = await get(`/v2/library/big2/blobs/${image2.layers[0]!.digest}`);

    expect(res.statusCode).toBe(503);
    const body = res.isBase64Encoded ? Buffer.from(String(res.body), 'base64').toString('utf8') : String(res.body);
    const error = JSON.parse(body).errors[0];
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/larger than this host fetches from the upstream in one request .*upload service/);
  });
});
