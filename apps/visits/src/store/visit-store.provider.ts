import {
  Inject,
  Injectable,
  type FactoryProvider,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, LOGGER } from '../core.module.js';
import { LifecycleService } from '../lifecycle/lifecycle.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { VisitStore } from './visit-store.js';

/** Nest's handle on the framework-free store: opened before the app listens. */
export const visitStoreProvider: FactoryProvider<Promise<VisitStore>> = {
  provide: VisitStore,
  inject: [APP_CONFIG, LOGGER, MetricsService, LifecycleService],
  useFactory: async (
    config: AppConfig,
    logger: Logger,
    metrics: MetricsService,
    lifecycle: LifecycleService,
  ) => {
    const store = await VisitStore.open({
      dir: config.dataDir,
      recentLimit: config.recentVisits,
      logger: logger.child({ component: 'store' }),
      onCommit: (visits, seconds) => metrics.recordCommit(visits, seconds),
      onFatal: (error) => lifecycle.fatal(error),
      onWriteFailed: (operation) => metrics.recordWriteFailure(operation),
    });
    metrics.trackStore(() => ({ count: store.count, status: store.status }));
    metrics.volume.track(store.volume);
    logger.info(
      { dataDir: config.dataDir, count: store.count, journalBytes: store.journalCapacity },
      'visit store open',
    );
    return store;
  },
};

/** Closes the store after the HTTP server has stopped and in-flight visits have been written. */
@Injectable()
export class VisitStoreCloser implements OnApplicationShutdown {
  constructor(
    @Inject(VisitStore) private readonly store: VisitStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.logger.info({ count: this.store.count }, 'visit store closed');
  }
}
