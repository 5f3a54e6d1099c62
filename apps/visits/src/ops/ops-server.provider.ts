import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, LOGGER } from '../core.module.js';
import { HealthProbes } from '../health/health-probes.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { servedDocument } from '../openapi/served-document.js';
import { BUILD_INFO } from '../version/build-info.js';
import { createOpsServer } from './ops-server.js';

/**
 * Nest's handle on the ops server: built with the app, listening once main.ts calls listen() after
 * the service port, closed last at shutdown so that probes and scrapes keep their answers (503 for
 * readiness) while in-flight visits drain.
 */
@Injectable()
export class OpsServer implements OnApplicationShutdown {
  /** The ops port's server (supertest drives it in the e2e tier). */
  readonly server: Server;

  constructor(
    @Inject(HealthProbes) probes: HealthProbes,
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(LifecycleService) lifecycle: LifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    let openapi: Promise<string> | undefined;
    this.server = createOpsServer(
      {
        probes,
        metrics: {
          text: () => metrics.registry.metrics(),
          contentType: metrics.registry.contentType,
        },
        build: BUILD_INFO,
        // Read on the first request, not at startup, and kept; read again after a failure.
        openapi: () =>
          (openapi ??= servedDocument().catch((error: unknown) => {
            openapi = undefined;
            throw error;
          })),
        shuttingDown: () => lifecycle.shuttingDown,
      },
      logger,
    );
  }

  /** Listens on OPS_PORT and HOST; main.ts calls it once the service port listens. */
  async listen(): Promise<void> {
    this.server.listen(this.config.opsPort, this.config.host);
    await once(this.server, 'listening');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    // close() stops listening, closes idle connections and waits for requests in flight; answers
    // sent since shutdown began carry `Connection: close`, so no keep-alive client lingers.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
