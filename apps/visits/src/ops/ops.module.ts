import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { OpsServer } from './ops-server.provider.js';

/** The ops port (OPS_PORT): /health/*, /metrics and /version, apart from the visit routes. */
@Module({
  imports: [HealthModule],
  providers: [OpsServer],
  exports: [OpsServer],
})
export class OpsModule {}
