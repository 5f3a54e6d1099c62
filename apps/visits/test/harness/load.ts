import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

const REFUSED = -1;

export interface LoadOptions {
  /** Concurrent clients, each on its own keep-alive connection. @default 64 */
  readonly clients?: number;
  /** Stop after sending this many visits; without it the load runs until stop(). */
  readonly visits?: number;
  /** How long one request may take before it counts as a connection error. @default 15_000 */
  readonly timeoutMs?: number;
}

/**
 * Clients posting visits (POST /visits) over keep-alive connections until stopped, or until
 * `visits` have been sent; what they saw is the ledger of the run.
 *
 * `attempted` counts every request that may have reached the service (all but refused
 * connections): an upper bound for what can be on disk, since a request that failed may still
 * have been recorded. `acknowledged` holds the count of every 201: each is a visit the service
 * promised is durable, so the count after any crash is at least `highest`.
 */
export class VisitLoad {
  /** Requests sent, refused ones included. */
  sent = 0;
  attempted = 0;
  readonly acknowledged: number[] = [];
  /** Replies other than 201, by status code; 0 stands for a connection error, -1 for refused. */
  readonly failures = new Map<number, number>();
  /** The first body answered with each failing status. */
  readonly samples = new Map<number, string>();
  private stopping = false;
  private readonly base: string;
  private readonly agent: Agent;
  private readonly workers: Promise<void>[];
  private readonly limit: number;
  private readonly timeoutMs: number;

  constructor(base: string, options: LoadOptions | number = {}) {
    this.base = base;
    const {
      clients = 64,
      visits,
      timeoutMs = 15_000,
    } = typeof options === 'number' ? { clients: options } : options;
    this.limit = visits ?? Number.POSITIVE_INFINITY;
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({ keepAlive: true, maxSockets: clients });
    this.workers = Array.from({ length: clients }, () => this.work());
  }

  /** Sends exactly `visits` visits with `clients` clients and waits for every answer. */
  static async run(base: string, visits: number, clients = 64): Promise<VisitLoad> {
    const load = new VisitLoad(base, { clients, visits });
    await load.finished();
    return load;
  }

  get highest(): number {
    let max = 0;
    for (const c of this.acknowledged) if (c > max) max = c;
    return max;
  }

  /** How many distinct counts were acknowledged (equal to acknowledged.length unless one came twice). */
  get distinct(): number {
    return new Set(this.acknowledged).size;
  }

  failed(status: number): number {
    return this.failures.get(status) ?? 0;
  }

  private async work(): Promise<void> {
    while (!this.stopping && this.sent < this.limit) {
      this.sent += 1;
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
        { method: 'POST', agent: this.agent, timeout: this.timeoutMs },
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

  /** Waits for the clients to finish by themselves (after `visits`), and closes the connections. */
  async finished(): Promise<void> {
    await Promise.all(this.workers);
    this.agent.destroy();
  }

  /** Stops the clients, waits for their last requests to settle, and closes the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.finished();
  }
}
