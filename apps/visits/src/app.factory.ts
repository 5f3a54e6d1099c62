import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { fastifyOptions } from './http/fastify-options.js';
import { installHttpEdge } from './http/http-edge.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { PinoNestLogger } from './logging/logger.js';
import { MetricsService } from './metrics/metrics.service.js';

/**
 * Builds the app (store opened, routes registered) without listening, for main.ts and the tests.
 * Rejects with the store's error when the data directory cannot be used.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger),
    new FastifyAdapter(fastifyOptions()),
    {
      logger: new PinoNestLogger(logger.child({ component: 'nest' })),
      abortOnError: false,
    },
  );
  const lifecycle = app.get(LifecycleService);
  installHttpEdge(
    app,
    logger,
    app.get(MetricsService),
    { mode: config.accessLog, slowMs: config.slowRequestMs },
    () => lifecycle.shuttingDown,
    config.corsOrigins,
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
