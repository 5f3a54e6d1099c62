import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLEET_PATH, HEALTH_PATHS, METRICS_PATH } from '@stateful-visits/visits-contract';
import type { Logger } from 'pino';
import type { MetricsService } from '../metrics/metrics.service.js';

/** Routes that are machinery, not traffic: no access log line, no request-duration sample. */
const QUIET = new RegExp(
  `^(${[...Object.values(HEALTH_PATHS), METRICS_PATH, FLEET_PATH].join('|')})(/|\\?|$)`,
);

/**
 * One log line and one request-duration sample per answered request, routed or not. A Fastify
 * hook rather than a Nest interceptor: it sees requests no route matched, and costs less.
 */
export function addAccessLog(
  fastify: FastifyInstance,
  logger: Logger,
  metrics: MetricsService,
): void {
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
