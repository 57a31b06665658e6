/** On Lambda a pull's time is written before the invocation returns: a frozen environment would never write it. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createRegistry } from '../../../../lambda/core/registry';
import { InvocationTasks, lambdaAdapter } from '../../../../lambda/hosts/lambda/handler';
import { registryOnFakes, sha256 } from '../../fakes/registry-under-test';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function getEvent(path: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', headers: { host: 'registry.test' }, isBase64Encoded: false,
    requestContext: { requestId: 'r1', http: { method: 'GET', path, sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayProxyEventV2;
}

it('the Lambda adapter returns a manifest GET only once its pull time is written', async () => {
  // Prepare: an image on fakes whose pull-time write takes 50 ms
  const reg = registryOnFakes();
  const config = Buffer.from('{}');
  await reg.send('POST', `/v2/team/app/blobs/uploads/?digest=${sha256(config)}`, { body: config });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [], config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: 2 },
  }));
  expect((await reg.send('PUT', '/v2/team/app/manifests/v1', { headers: { 'content-type': OCI_MANIFEST }, body: manifest })).status).toBe(201);
  const recordPull = reg.meta.recordPull.bind(reg.meta);
  reg.meta.recordPull = async (...args) => { await new Promise((r) => setTimeout(r, 50)); return recordPull(...args); };
  const tasks = new InvocationTasks();
  const invoke = lambdaAdapter(createRegistry({ ...reg.deps, background: tasks.run }), reg.deps.logger, tasks);
  // Act
  const result = await invoke(getEvent('/v2/team/app/manifests/v1'));
  // Assess
  expect(result.statusCode).toBe(200);
  expect((await reg.meta.getManifest('team/app', sha256(manifest)))?.lastPulledAt).toEqual(expect.any(Number));
});
