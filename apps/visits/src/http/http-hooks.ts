import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { MetricsService } from '../metrics/metrics.service.js';

/** Routes that are machinery, not traffic: no access log line, no request-duration sample. */
const QUIET = /^\/(health\/(live|ready|startup)|metrics)(\/|\?|$)/;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * Fastify-level hooks: they see every request, including ones no Nest route matched, and cost less
 * than Nest interceptors on the hot path.
 */
export function registerHttpHooks(
  fastify: FastifyInstance,
  logger: Logger,
  metrics: MetricsService,
  shuttingDown: () => boolean,
): void {
  // Callback-style hooks rather than async ones: every request passes through all three, and an
  // async hook costs a promise and a microtask each (measured: a few percent of POST throughput).

  // HTTP/1.1 requires a Host header (RFC 9112 3.2). Node's own check answers an empty 400; this one
  // answers like every other error.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: 'an HTTP/1.1 request needs a Host header',
      });
      return;
    }
    done();
  });

  fastify.addHook('onSend', (_request, reply: FastifyReply, payload, done) => {
    void reply.headers(SECURITY_HEADERS);
    // A keep-alive connection that was busy when shutdown began would otherwise stay open (and
    // hold up the server's close) until its keep-alive timeout.
    if (shuttingDown()) void reply.header('Connection', 'close');
    done(null, payload);
  });

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    done();
    if (QUIET.test(request.url)) return;
    const route = request.routeOptions.url ?? 'unmatched';
    const statusCode = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: statusCode },
      ms / 1000,
    );
    logger.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        route,
        statusCode,
        ms: Math.round(ms * 100) / 100,
        remoteAddress: request.ip,
      },
      'request completed',
    );
  });
}

/** For an unmatched route, the methods that do exist on its path (empty: the path does not exist). */
export function allowedMethods(fastify: FastifyInstance, url: string): string[] {
  const path = url.split('?')[0] ?? url;
  return METHODS.filter((method) => fastify.hasRoute({ url: path, method }));
}
