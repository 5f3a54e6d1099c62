import { describe, expect, it } from 'vitest';
import { Random } from '../faults/support/random.js';
import { sendRaw, type RawResponse } from './raw-http.js';
import { useListeningApp } from './testing-app.js';

const REQUESTS = process.env['FAULTS_LONG'] === '1' ? 20_000 : 3_000;
const SEED = Number(process.env['FAULTS_SEED'] ?? Date.now() % 2 ** 32) >>> 0;
const LEAK = /\bat \S+ \(|node_modules|\/src\/|\/dist\/|\.[jt]s:\d+/;

/** A random request: mostly plausible HTTP with something odd about it, sometimes not HTTP at all. */
function randomRequest(r: Random): { raw: Buffer; method: string } {
  if (r.chance(0.05)) return { raw: r.bytes(r.int(1, 300)), method: '?' };
  const method = r.pick([
    'GET',
    'GET',
    'POST',
    'POST',
    'HEAD',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'TRACE',
    'FOO',
    'get',
  ]);
  const path = r.pick([
    '/',
    '/',
    '/visits',
    '/visits',
    '/visits/',
    '//visits',
    '/VISITS',
    '/health/live',
    '/health/ready',
    '/health/startup',
    '/metrics',
    '/fleet',
    '/nope',
    '/%zz',
    '/%2e%2e/',
    '/visits/../visits',
    '/?a=<script>',
    `/${r.bytes(r.int(1, 20)).toString('hex')}`,
    '*',
    'http://example.com/visits',
  ]);
  const query = r.pick([
    '',
    '',
    '?limit=5',
    '?limit=0',
    '?limit=1000',
    '?limit=1001',
    '?limit=-1',
    '?limit=1e12',
    '?limit=abc',
    '?limit=',
    '?limit=1&limit=2',
    '?limit=%00',
    '?limit=%zz',
    `?x=${'y'.repeat(r.int(0, 3_000))}`,
  ]);
  const headers = [`Host: ${r.pick(['t', 'visits.example', 'localhost:3000'])}`];
  if (r.chance(0.05)) headers.pop(); // no Host
  if (r.chance(0.5))
    headers.push(
      `Accept: ${r.pick(['*/*', 'text/html', 'application/json', 'image/png', 'text/html;q=0,*/*;q=0', ''])}`,
    );
  if (r.chance(0.2))
    headers.push(`X-${r.int(0, 999)}: ${r.bytes(r.int(0, 40)).toString('base64')}`);
  // A browser's prefetch: never a visit (403 on GET /).
  if (r.chance(0.05))
    headers.push(
      r.pick(['Sec-Purpose: prefetch', 'Sec-Purpose: prefetch;prerender', 'Purpose: prefetch']),
    );
  if (r.chance(0.03)) headers.push(`Cookie: ${'c'.repeat(20_000)}`);
  if (r.chance(0.03)) headers.push(`Bad Header: x`);
  let body = '';
  if (r.chance(0.3)) {
    body = r.pick([
      '{}',
      '{"count": 999999}',
      '{',
      '[]',
      'null',
      '{"__proto__": {"count": 5}}',
      'x'.repeat(r.int(1, 20_000)),
      r.bytes(r.int(1, 200)).toString('latin1'),
    ]);
    headers.push(
      `Content-Type: ${r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data'])}`,
    );
  }
  const length = Buffer.byteLength(body, 'latin1');
  // (A Content-Length longer than the body waits for the request timeout: the slow-client test's job.)
  if (body !== '' || r.chance(0.1))
    headers.push(`Content-Length: ${r.chance(0.9) ? length : r.int(0, length)}`);
  if (body !== '' && r.chance(0.05)) headers.push('Transfer-Encoding: chunked');
  headers.push('Connection: close');
  const head = `${method} ${path}${query} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`;
  return { raw: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'latin1')]), method };
}

/** The count a response hands out for a visit it recorded, or undefined when it recorded none. */
function recordedCount(res: RawResponse, method: string): number | undefined {
  if (res.status < 200 || res.status > 299 || method === 'HEAD') return undefined;
  if (res.headers['content-type']?.startsWith('text/html')) {
    // The visit page shows its count as <p class="count" data-count="N">; /fleet's page has none.
    const shown = /class="count" data-count="(\d+)"/.exec(res.body)?.[1];
    return shown === undefined ? undefined : Number(shown);
  }
  if (!res.headers['content-type']?.startsWith('application/json')) return undefined;
  const body = JSON.parse(res.body) as Record<string, unknown>;
  // POST /visits answers 201 { pod, count }; GET / adds time and timezone; GET /visits (which
  // records nothing) adds recent.
  if (typeof body['count'] !== 'number' || 'recent' in body) return undefined;
  return res.status === 201 || 'time' in body ? body['count'] : undefined;
}

describe('fuzzing the HTTP edge: random requests move the count only with real visits', () => {
  const sut = useListeningApp('all');

  it(`${REQUESTS} random requests`, { timeout: 300_000 }, async () => {
    const random = new Random(SEED);
    const recorded: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const { raw, method } = randomRequest(random);
        const where = `request ${i} (FAULTS_SEED=${SEED}): ${JSON.stringify(raw.toString('latin1').slice(0, 300))}`;
        const res = await sendRaw(sut().port, raw, { timeoutMs: 15_000 });
        expect(res, `${where}: closed without an answer`).toBeDefined();
        statuses.set(res!.status, (statuses.get(res!.status) ?? 0) + 1);
        expect(res!.status, where).toBeGreaterThanOrEqual(200);
        expect(res!.status, where).toBeLessThan(500);
        expect(res!.headers['x-content-type-options'], where).toBe('nosniff');
        expect(res!.body, where).not.toMatch(LEAK);
        expect(res!.body, where).not.toContain(sut().dataDir);
        if (res!.status >= 400 && method !== 'HEAD') {
          expect(JSON.parse(res!.body), where).toEqual({
            statusCode: res!.status,
            error: expect.any(String),
            message: expect.any(String),
          });
        }
        const count = recordedCount(res!, method);
        if (count !== undefined) recorded.push(count);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    // Each recorded visit got its own count, and nothing else moved the count.
    const final = JSON.parse(
      (await sendRaw(
        sut().port,
        'GET /visits?limit=0 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
      ))!.body,
    ).count as number;
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(final).toBe(recorded.length);
    expect(recorded.length).toBeGreaterThan(0);
    console.info(
      `[http fuzz] ${REQUESTS} requests, ${recorded.length} visits, statuses ${JSON.stringify(Object.fromEntries(statuses))} (FAULTS_SEED=${SEED})`,
    );
  });
});
