import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A port nothing listens on right now: listen on port 0, read the port the kernel chose, close,
 * and wait for the close, so the caller never races the probe for its own port.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  return port;
}
