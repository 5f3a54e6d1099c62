import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsService } from '../metrics/metrics.service.js';
import { addAccessLog, shouldLog, type AccessLogPolicy } from './access-log.js';

describe('shouldLog', () => {
  const all: AccessLogPolicy = { mode: 'all', slowMs: 500 };
  const errors: AccessLogPolicy = { mode: 'errors', slowMs: 500 };

  it('logs every request under "all"', () => {
    for (const status of [200, 201, 404, 503]) expect(shouldLog(all, status, 1)).toBe(true);
  });

  it('logs only answers ≥ 500 and slow requests under "errors", not client errors', () => {
    expect(shouldLog(errors, 201, 1)).toBe(false);
    expect(shouldLog(errors, 404, 1)).toBe(false);
    expect(shouldLog(errors, 499, 499)).toBe(false);
    expect(shouldLog(errors, 500, 1)).toBe(true);
    expect(shouldLog(errors, 503, 1)).toBe(true);
    expect(shouldLog(errors, 201, 500)).toBe(true);
    expect(shouldLog(errors, 404, 900)).toBe(true);
  });
});

describe('addAccessLog on a Fastify server', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  async function serve(policy: AccessLogPolicy) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const fastify = Fastify();
    const metrics = new MetricsService();
    addAccessLog(fastify, pino(sink), metrics, policy);
    fastify.get('/fast', () => 'ok');
    fastify.get('/slow', async () => {
      await delay(policy.slowMs + 20);
      return 'ok';
    });
    fastify.get('/broken', (_, reply) => reply.code(503).send('no'));
    close = () => fastify.close();
    return { fastify, lines, metrics };
  }

  it('under "errors" writes a line for a 503 and a slow request, none for 200 and 404', async () => {
    const { fastify, lines } = await serve({ mode: 'errors', slowMs: 30 });
    for (const url of ['/fast', '/nope', '/broken', '/slow']) await fastify.inject({ url });
    expect(lines.map((l) => [l['url'], l['statusCode'], l['slow']])).toEqual([
      ['/broken', 503, undefined],
      ['/slow', 200, true],
    ]);
  });

  it('under "all" writes a line per request, marking the slow one', async () => {
    const { fastify, lines } = await serve({ mode: 'all', slowMs: 30 });
    for (const url of ['/fast', '/nope', '/slow']) await fastify.inject({ url });
    expect(lines.map((l) => [l['url'], l['route'], l['statusCode'], l['slow']])).toEqual([
      ['/fast', '/fast', 200, undefined],
      ['/nope', 'unmatched', 404, undefined],
      ['/slow', '/slow', 200, true],
    ]);
  });

  it('counts every request in the metrics whatever it logs', async () => {
    const { fastify, metrics } = await serve({ mode: 'errors', slowMs: 30 });
    for (const url of ['/fast', '/fast', '/nope']) await fastify.inject({ url });
    await fastify.inject({ url: '/fast', method: 'PROPFIND' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/fast",status_code="200"\} 2$/m,
    );
    expect(text).toMatch(/method="GET",route="unmatched",status_code="404"\} 1$/m);
    expect(text).toMatch(/method="other",route="unmatched",status_code="404"\} 1$/m);
  });
});
