import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { emptyResponse, RegistryHandler } from '../../../lambda/shared/http-types';
import { silentLogger } from '../../../lambda/shared/logger';
import { createNodeServer } from '../../../lambda/hosts/node/node-server';
import { rawExchange } from '../reliability/raw-http';

describe('Node host: a client that goes away mid-body', () => {
  it('the request is finished and logged at once, not after the body idle timeout', async () => {
    // Prepare: a handler that reads the whole body, as a PATCH does, and answers 503 when it breaks off.
    const handler: RegistryHandler = async (req) => {
      try {
        for await (const chunk of req.body ?? []) void chunk;
        return emptyResponse(202);
      } catch {
        return emptyResponse(503);
      }
    };
    const lines: Array<Record<string, unknown>> = [];
    let onLine!: () => void;
    const logged = new Promise<void>((resolve) => (onLine = resolve));
    const logger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => { lines.push({ message, ...fields }); onLine(); } };
    const server = createNodeServer(handler, logger, { bodyIdleTimeoutMs: 60_000 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // Act: half of a declared body, then the connection is reset.
      const started = Date.now();
      await rawExchange(base, ['PATCH /v2/team/app/blobs/uploads/x HTTP/1.1', 'Host: test', 'Content-Length: 1000000'], Buffer.alloc(500_000), 'destroy');
      await logged;
      // Assess
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lines[0]).toMatchObject({ message: 'request', method: 'PATCH', status: 503, bytesIn: expect.any(Number) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
