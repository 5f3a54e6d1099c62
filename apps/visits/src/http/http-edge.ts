import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CorsOrigins } from '@stateful-visits/visits-contract';
import type { Logger } from 'pino';
import type { MetricsService } from '../metrics/metrics.service.js';
import { addAccessLog, type AccessLogPolicy } from './access-log.js';
import { addHostHeaderCheck, connectHandler } from './client-errors.js';
import { addCors } from './cors.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { addResponseHeaders } from './security-headers.js';

/**
 * Everything between a socket and a route, past the server options (fastify-options.ts): checks,
 * headers, the access log and the one error shape. Fastify hooks rather than Nest interceptors:
 * they see every request, including ones no route matched, and cost less on the hot path.
 */
export function installHttpEdge(
  app: NestFastifyApplication,
  logger: Logger,
  metrics: MetricsService,
  accessLog: AccessLogPolicy,
  shuttingDown: () => boolean,
  corsOrigins: CorsOrigins,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  addHostHeaderCheck(fastify);
  addCors(fastify, corsOrigins);
  addResponseHeaders(fastify, shuttingDown);
  addAccessLog(fastify, logger, metrics, accessLog);
  fastify.server.on('connect', connectHandler);
  app.useGlobalFilters(new HttpExceptionFilter(fastify, logger));
}
