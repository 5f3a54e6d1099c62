import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { FleetModule } from './fleet/fleet.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OpsModule } from './ops/ops.module.js';
import { VisitsModule } from './visits/visits.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        MetricsModule,
        VisitsModule,
        FleetModule,
        OpsModule,
      ],
    };
  }
}
