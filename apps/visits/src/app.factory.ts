import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import {
  HEADERS_TIMEOUT_MS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
  clientErrorHandler,
  connectHandler,
  frameworkErrorHandler,
} from './http/client-errors.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { registerHttpHooks } from './http/http-hooks.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { PinoNestLogger } from './logging/logger.js';
import { MetricsService } from './metrics/metrics.service.js';

/** Request bodies are not used by any route; anything beyond this is refused with 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Builds the app (store opened, routes registered) without listening, for main.ts and the tests.
 * Rejects with the store's error when the data directory cannot be used.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow or stalled clients are cut off (408) instead of holding sockets open: headers within
    // 5 s, the whole request within 10 s, checked every second. Idle keep-alive connections (a
    // load balancer's pool) are not requests: they stay open for keepAliveTimeout.
    http: {
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
      // Checked in an onRequest hook instead, to answer with the JSON error.
      requireHostHeader: false,
    },
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger),
    adapter,
    {
      logger: new PinoNestLogger(logger.child({ component: 'nest' })),
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  const lifecycle = app.get(LifecycleService);
  registerHttpHooks(fastify, logger, app.get(MetricsService), () => lifecycle.shuttingDown);
  fastify.server.on('connect', connectHandler);
  app.useGlobalFilters(new HttpExceptionFilter(fastify, logger));
  await app.init();
  await fastify.ready();
  return app;
}
