import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

const REFUSED = -1;

/**
 * `clients` concurrent clients posting visits over keep-alive connections until stopped.
 *
 * `attempted` counts every request that may have reached the service (all but refused
 * connections): an upper bound for what can be on disk, since a request that failed may still
 * have been recorded. `acknowledged` holds the count of every 201: each is a visit the service
 * promised is durable.
 */
export class Load {
  attempted = 0;
  readonly acknowledged: number[] = [];
  /** Replies other than 201, by status code; 0 stands for a connection error, -1 for refused. */
  readonly failures = new Map<number, number>();
  /** The first body answered with each failing status. */
  readonly samples = new Map<number, string>();
  private stopping = false;
  private readonly agent: Agent;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly base: string,
    clients = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: clients });
    this.workers = Array.from({ length: clients }, () => this.work());
  }

  get highest(): number {
    let max = 0;
    for (const c of this.acknowledged) if (c > max) max = c;
    return max;
  }

  failed(status: number): number {
    return this.failures.get(status) ?? 0;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      const status = await this.post();
      if (status !== REFUSED) this.attempted += 1;
      if (status !== 201) this.failures.set(status, this.failed(status) + 1);
      // The service is gone or not there yet: back off instead of spinning.
      if (status <= 0 && !this.stopping) await delay(2);
    }
  }

  private post(): Promise<number> {
    return new Promise((resolve) => {
      const req = request(
        `${this.base}/visits`,
        { method: 'POST', agent: this.agent, timeout: 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          // A reply cut off by a kill never ends: 'close' without 'end' is a connection error.
          res.on('close', () => resolve(0));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status !== 201 && !this.samples.has(status))
              this.samples.set(status, Buffer.concat(chunks).toString('utf8'));
            if (status === 201) {
              const { count } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                count: number;
              };
              this.acknowledged.push(count);
            }
            resolve(status);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      // Refused: the request never reached a process, so it cannot have been recorded.
      req.on('error', (e: NodeJS.ErrnoException) =>
        resolve(e.code === 'ECONNREFUSED' ? REFUSED : 0),
      );
      req.end();
    });
  }

  /** Stops the clients, waits for their last requests to settle, and closes the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    this.agent.destroy();
  }
}
