import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** A keep-alive agent to reuse connections; by default each request opens its own connection. */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

/** One HTTP request with node:http (lighter than fetch when thousands are in flight). */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json<T>() {
              return JSON.parse(text) as T;
            },
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within the timeout`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What GET /visits answers. */
export interface VisitsSummary {
  readonly pod: string;
  readonly count: number;
  readonly recent: string[];
}

/** GET /visits?limit=`limit`; fails unless it answers 200. */
export async function summaryOf(base: string, limit = 1000): Promise<VisitsSummary> {
  const reply = await request(`${base}/visits?limit=${limit}`);
  if (reply.status !== 200) throw new Error(`GET /visits answered ${reply.status}: ${reply.text}`);
  return reply.json<VisitsSummary>();
}

/** The count the service reports (GET /visits?limit=0), which records nothing. */
export async function countOf(base: string): Promise<number> {
  return (await summaryOf(base, 0)).count;
}

/** POST /visits once, whatever it answers. */
export function visit(base: string): Promise<Reply> {
  return request(`${base}/visits`, { method: 'POST' });
}

/** POST /visits once; the count it acknowledged, or an error unless it answered 201. */
export async function recordVisit(base: string): Promise<number> {
  const reply = await visit(base);
  const count = reply.status === 201 ? reply.json<{ count?: unknown }>().count : undefined;
  if (typeof count !== 'number')
    throw new Error(`POST ${base}/visits answered ${reply.status}: ${reply.text}`);
  return count;
}

/** `n` visits one after the other; the counts acknowledged, in order. */
export async function recordVisits(base: string, n: number): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < n; i++) counts.push(await recordVisit(base));
  return counts;
}
