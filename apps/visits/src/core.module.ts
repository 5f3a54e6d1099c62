import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';

/** Injection token of the validated configuration (AppConfig). */
export const APP_CONFIG = Symbol('APP_CONFIG');
/** Injection token of the process's pino logger. */
export const LOGGER = Symbol('LOGGER');

/**
 * What every feature may inject, one instance per app: the configuration and the logger main.ts
 * made before Nest started, and whether the process is shutting down.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        LifecycleService,
      ],
      exports: [APP_CONFIG, LOGGER, LifecycleService],
    };
  }
}
