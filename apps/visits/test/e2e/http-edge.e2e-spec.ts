import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from '../../src/http/limits.js';
import { described } from './described.js';
import { parseResponse, sendRaw, type RawResponse } from './raw-http.js';
import { useListeningApp } from './testing-app.js';

/** A stack frame, a source or dependency path, or a file:line: nothing of the inside may leak. */
const LEAK = /\bat \S+ \(|node_modules|\/src\/|\/dist\/|\.[jt]s:\d+/;

/** Every error, whoever produced it (route, Nest, Fastify or Node's parser), looks like this. */
function expectCleanError(res: RawResponse | undefined, status: number, dataDir: string): void {
  expect(res, 'the server closed the connection without answering').toBeDefined();
  expect(res!.status).toBe(status);
  expect(res!.headers['content-type']).toMatch(/^application\/json/);
  expect(res!.headers['x-content-type-options']).toBe('nosniff');
  expect(res!.headers['content-security-policy']).toContain("default-src 'none'");
  const body = JSON.parse(res!.body) as Record<string, unknown>;
  expect(body).toEqual({
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
  });
  expect((body['message'] as string).length).toBeGreaterThan(10);
  expect(res!.body).not.toMatch(LEAK);
  expect(res!.body).not.toContain(dataDir);
}

describe('the HTTP edge: bad input gets a clear 4xx and changes nothing', () => {
  const sut = useListeningApp('each');

  /** Sends `request` as it is, byte for byte, on a connection of its own. */
  const raw = (request: string, options?: Parameters<typeof sendRaw>[2]) =>
    sendRaw(sut().port, request, options);
  /** A request with no body and the usual headers. */
  const send = (method: string, path: string) =>
    raw(`${method} ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  const get = (path: string) => send('GET', path);
  const count = async () => JSON.parse((await get('/visits?limit=0'))!.body).count as number;
  const post = (body: string, headers = '') =>
    raw(
      `POST /visits HTTP/1.1\r\nHost: t\r\nConnection: close\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );

  const cases: [string, () => Promise<RawResponse | undefined>, number][] = [
    ['an unknown path', () => get('/wp-admin/install.php'), 404],
    ['a path that tries to climb out', () => get('/%2e%2e/%2e%2e/etc/passwd'), 404],
    ['a URL with a broken percent-encoding', () => get('/visits%zz'), 400],
    ['a wrong method on a known path', () => send('DELETE', '/visits'), 405],
    ['POST on the page', () => send('POST', '/'), 405],
    ['OPTIONS', () => send('OPTIONS', '/visits'), 405],
    ['TRACE', () => send('TRACE', '/'), 405],
    [
      'CONNECT (a proxy request)',
      () => raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
      405,
    ],
    ['malformed JSON', () => post('{"broken": ', 'Content-Type: application/json\r\n'), 400],
    [
      'a body over 16 KiB',
      () => post(JSON.stringify({ pad: 'x'.repeat(20_000) }), 'Content-Type: application/json\r\n'),
      413,
    ],
    [
      'a body shorter than its Content-Length',
      () =>
        raw(
          'POST /visits HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}',
          { endAfterWrite: true },
        ),
      400,
    ],
    [
      'Content-Length and Transfer-Encoding together (request smuggling)',
      () =>
        raw(
          'POST /visits HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n',
        ),
      400,
    ],
    [
      'headers over 16 KiB',
      () => raw(`GET /visits HTTP/1.1\r\nHost: t\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`),
      431,
    ],
    ['a URL over 16 KiB', () => get(`/visits?pad=${'a'.repeat(20_000)}`), 431],
    [
      'a header name with a space',
      () => raw('GET /visits HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n'),
      400,
    ],
    ['a NUL in the request line', () => raw('GET /vis\0its HTTP/1.1\r\nHost: t\r\n\r\n'), 400],
    ['no Host header', () => raw('GET /visits HTTP/1.1\r\nConnection: close\r\n\r\n'), 400],
    ['garbage instead of HTTP', () => raw('HELLO THERE\r\n\r\n'), 400],
    ['an HTTP/2 preface', () => raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 400],
    ['limit=-1', () => get('/visits?limit=-1'), 400],
    ['limit=1e12', () => get('/visits?limit=1e12'), 400],
    ['limit=abc', () => get('/visits?limit=abc'), 400],
    ['limit twice', () => get('/visits?limit=1&limit=2'), 400],
    ['limit=%00', () => get('/visits?limit=%00'), 400],
    ['limit=99999999999999999999', () => get('/visits?limit=99999999999999999999'), 400],
    [
      'a WebSocket upgrade (there is no WebSocket here)',
      () =>
        raw('GET /socket HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'),
      404,
    ],
  ];

  it.each(cases)(
    'answers %s with a clear JSON error and records nothing',
    async (_, request, status) => {
      await post('');
      expectCleanError(await request(), status, sut().dataDir);
      expect(await count()).toBe(1);
    },
  );

  it('counts a visit exactly once for a request smuggled after a bad one (it is never parsed)', async () => {
    const res = await raw(
      'POST /visits HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nPOST /visits HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    expect(res!.status).toBe(400);
    expect(await count()).toBe(0);
  });

  // Found by the HTTP fuzzer: the parser's error for the junk was answered 400 ahead of the
  // request's own answer, so a recorded visit was reported as a bad request.
  it('answers a request followed by junk with its own answer: the visit is counted and acknowledged', async () => {
    for (const junk of ['{}', 'GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: t\r\n\r\n']) {
      const res = await raw(
        `POST /visits HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n${junk}`,
      );
      expect(res?.status, junk).toBe(201);
    }
    expect(await count()).toBe(3);
  });

  it(
    'cuts off clients too slow with their headers or body (408 JSON) while serving everyone else, and keeps idle keep-alive connections',
    { timeout: 30_000 },
    async () => {
      const opened: Socket[] = [];
      const drips: NodeJS.Timeout[] = [];
      try {
        /** A client that sends `head` and then one more byte of `rest` each second. */
        const dripping = (head: string, rest: string) =>
          new Promise<RawResponse | undefined>((resolve) => {
            const started = performance.now();
            const socket = connect(sut().port, '127.0.0.1', () => socket.write(head));
            opened.push(socket);
            let i = 0;
            drips.push(
              setInterval(() => {
                if (i < rest.length && socket.writable) socket.write(rest[i++]!);
              }, 1_000),
            );
            const chunks: Buffer[] = [];
            socket.on('data', (c: Buffer) => chunks.push(c));
            socket.on('error', () => {});
            socket.on('close', () =>
              resolve(
                described(head, parseResponse(Buffer.concat(chunks), performance.now() - started)),
              ),
            );
          });
        const slowHeaders = Array.from({ length: 100 }, (_, i) =>
          dripping(
            `GET /visits HTTP/1.1\r\nHost: t\r\nX-Slow-${i}: `,
            'abcdefghijklmnopqrstuvwxyz',
          ),
        );
        const slowBody = dripping(
          'POST /visits HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n',
          '{"x":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}',
        );
        // A load balancer's pooled connection: one request, then idle past the header timeout.
        const pooled = connect(sut().port, '127.0.0.1');
        opened.push(pooled);
        const onPooled = () =>
          new Promise<RawResponse | undefined>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (c: Buffer) => {
              chunks.push(c);
              const res = parseResponse(Buffer.concat(chunks));
              if (
                res !== undefined &&
                Buffer.byteLength(res.body) >= Number(res.headers['content-length'])
              ) {
                pooled.off('data', onData);
                resolve(described('POST /visits HTTP/1.1\r\n', res));
              }
            };
            pooled.on('data', onData);
            pooled.write('POST /visits HTTP/1.1\r\nHost: t\r\n\r\n');
          });
        expect((await onPooled())?.status).toBe(201);

        // Everyone else is served meanwhile.
        for (let i = 0; i < 20; i++) expect((await post(''))?.status).toBe(201);

        const headerLimit = HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS;
        for (const res of await Promise.all(slowHeaders)) {
          expectCleanError(res, 408, sut().dataDir);
          expect(res!.ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
          expect(res!.ms).toBeLessThan(headerLimit + 1_500);
        }
        expect(JSON.parse((await Promise.all(slowHeaders))[0]!.body).message).toMatch(
          /not received in time: headers must arrive within 5 s and the whole request within 10 s/,
        );
        // The pooled connection sat idle longer than the header timeout and still works.
        expect(pooled.destroyed).toBe(false);
        expect((await onPooled())?.status).toBe(201);
        const body = await slowBody;
        expectCleanError(body, 408, sut().dataDir);
        expect(body!.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
        expect(body!.ms).toBeLessThan(REQUEST_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS + 1_500);
        // 1 + 20 + 1 visits; the slow ones recorded nothing.
        expect(await count()).toBe(22);
      } finally {
        for (const d of drips) clearInterval(d);
        for (const s of opened) s.destroy();
      }
    },
  );
});
