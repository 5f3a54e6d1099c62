import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLEET_PATH, type AccessLogMode } from '@stateful-visits/visits-contract';
import type { Logger } from 'pino';
import { methodLabel, type MetricsService } from '../metrics/metrics.service.js';

/** Which requests get a log line (`ACCESS_LOG`, `SLOW_REQUEST_MS`). */
export interface AccessLogPolicy {
  /**
   * `all`: every request. `errors`: answers ≥ 500 only. Client errors (4xx) are left out on
   * purpose: any client can send them at any rate (a scanner's 404s), so logging them would hand
   * the log pipeline's volume to whoever sends the most; their rate is in the request metrics.
   */
  readonly mode: AccessLogMode;
  /** A request that took at least this long is logged in either mode, marked `slow`. */
  readonly slowMs: number;
}

/** Whether a request gets a log line under `policy`. */
export function shouldLog(policy: AccessLogPolicy, statusCode: number, ms: number): boolean {
  return policy.mode === 'all' || statusCode >= 500 || ms >= policy.slowMs;
}

// The route a 405 was answered for: a path with routes, only not for this method. No route
// matched, so Fastify's routeOptions.url is undefined; the exception filter knows the path.
const routeOfRefusedMethod = new WeakMap<FastifyRequest, string>();

/** Records the route a request was refused for (405), so its sample and log line name it. */
export function labelRefusedMethod(request: FastifyRequest, route: string): void {
  routeOfRefusedMethod.set(request, route);
}

/**
 * One request-duration sample per answered request, routed or not, and one log line per request
 * the policy selects. A Fastify hook rather than a Nest interceptor: it sees requests no route
 * matched, and costs less. Installed on the service port only: the ops port's probes and scrapes
 * are never logged or counted.
 */
export function addAccessLog(
  fastify: FastifyInstance,
  logger: Logger,
  metrics: MetricsService,
  policy: AccessLogPolicy,
): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    done();
    // The fleet view is an operator's view, not traffic (a dashboard or an open page may poll
    // it every second): neither logged nor counted. The peers it asks answer GET /visits?limit=0,
    // which is logged there like any read.
    if (request.routeOptions.url === FLEET_PATH) return;
    const route = request.routeOptions.url ?? routeOfRefusedMethod.get(request) ?? 'unmatched';
    const statusCode = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.httpDuration.observe(
      { method: methodLabel(request.method), route, status_code: statusCode },
      ms / 1000,
    );
    if (!shouldLog(policy, statusCode, ms)) return;
    logger.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        route,
        statusCode,
        ms: Math.round(ms * 100) / 100,
        ...(ms >= policy.slowMs ? { slow: true } : {}),
        remoteAddress: request.ip,
      },
      'request completed',
    );
  });
}
