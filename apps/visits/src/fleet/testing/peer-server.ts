import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerTarget } from '../peer-client.js';

/** How a stand-in peer answers. */
export type PeerBehaviour =
  /** As the service does: `{ pod, count, recent: [] }`, with the readiness header unless null. */
  | {
      readonly kind: 'count';
      readonly pod: string;
      readonly count: number;
      readonly ready?: boolean | null;
    }
  /** Accepts the connection, reads the request, never answers. */
  | { readonly kind: 'hang' }
  /** Answers `body` with `status`. */
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly type?: string }
  /** A 200 whose body never ends. */
  | { readonly kind: 'endless' };

/**
 * A real HTTP server on 127.0.0.1 that stands in for another pod, answering as `behaviour` says
 * and recording every request it gets (method, URL, user agent).
 */
export class PeerServer implements AsyncDisposable {
  readonly requests: { method: string; url: string; userAgent: string | undefined }[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    public behaviour: PeerBehaviour,
    readonly host: string,
  ) {}

  /**
   * Listens on `host` (any of 127.0.0.0/8 works on Linux without setup: several peers can then
   * share one port, as pods do) and `port` (a free one by default).
   */
  static async start(
    behaviour: PeerBehaviour,
    { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
  ): Promise<PeerServer> {
    const peer = new PeerServer(behaviour, host);
    peer.server.listen(port, host);
    await once(peer.server, 'listening');
    return peer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get target(): PeerTarget {
    return { host: this.host, port: this.port, address: `${this.host}:${this.port}` };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      userAgent: req.headers['user-agent'],
    });
    const b = this.behaviour;
    switch (b.kind) {
      case 'count': {
        const ready = b.ready === undefined ? true : b.ready;
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(ready === null ? {} : { 'visits-ready': String(ready) }),
        });
        res.end(JSON.stringify({ pod: b.pod, count: b.count, recent: [] }));
        return;
      }
      case 'hang':
        return;
      case 'raw':
        res.writeHead(b.status, { 'content-type': b.type ?? 'text/plain' });
        res.end(b.body);
        return;
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write('['.repeat(1024)), 1);
        this.timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
