import { once } from 'node:events';
import { createServer } from 'node:net';

// Every port this process has handed out: a port handed out but not yet listened on (the next
// peer's, or a restarted service's fixed PORT while it is down) looks free to the kernel, which may
// give it out again; a second caller must never get it.
const handedOut = new Set<number>();

/**
 * A port nothing listens on right now: listen on port 0, read the port the kernel chose, close,
 * and wait for the close, so the caller never races the probe for its own port.
 * Never the same port twice in one process.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const server = createServer();
    server.listen(0, host);
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
