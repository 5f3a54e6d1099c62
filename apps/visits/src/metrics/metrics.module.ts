import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** The registry and its metrics; served on the ops port (src/ops), not on the service port. */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
